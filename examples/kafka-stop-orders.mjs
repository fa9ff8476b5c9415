// Keep an exchange stop order where tickflow's effective stop is (SEMANTICS §13), from the events topic.
// Run it: node examples/kafka-stop-orders.mjs localhost:9092 tickflow-events
//
// tickflow moves a position's stop itself (trailing, breakeven, `manage`) and says so with one `stop_moved` event per
// candle at most: `newPrice` is the stop in force from the next candle on. A live node's events reach Kafka keyed by
// lane (`symbol|strategy`, so a lane's events stay in order) with the action in a header, so a consumer can skip what
// it does not need without parsing it. After a restart events may be delivered again with the same `eventId`: the
// follower below ignores an id it has already applied.
import { Kafka, logLevel } from 'kafkajs';
import { SignalEventSchema } from 'tickflow';

const WANTED = new Set(['opened', 'stop_moved', 'partial_closed', 'closed']);

/**
 * Applies a lane's events to `orders`: place the stop at `opened`, move it at `stop_moved`, shrink it to what remains
 * at `partial_closed`, cancel it at `closed` (whatever closed the trade, tickflow's own exit already happened).
 *
 * `orders` is yours: with ccxt it could be `place: (s, id, side, price, fraction) => exchange.createOrder(s, 'market',
 * side, amount * fraction, undefined, { stopPrice: price, reduceOnly: true })`, `move` an `editOrder` (or cancel and
 * place), `cancel` a `cancelOrder` — the order types and parameters are the exchange's.
 */
export function stopFollower(orders) {
  const applied = new Set();
  return async (event) => {
    if (applied.has(event.eventId)) return false;
    const { symbol, signal } = event;
    const exit = signal.position === 'long' ? 'sell' : 'buy';
    switch (event.action) {
      case 'opened':
        await orders.place(symbol, signal.id, exit, signal.priceStopLoss, 1);
        break;
      case 'stop_moved':
        await orders.move(symbol, signal.id, event.newPrice, event.cause);
        break;
      case 'partial_closed':
        await orders.resize(symbol, signal.id, event.remaining);
        break;
      case 'closed':
        await orders.cancel(symbol, signal.id, event.closeReason);
        break;
      default:
        return false;
    }
    applied.add(event.eventId);
    return true;
  };
}

/** Consumes `topic` and feeds the follower; resolves with the running consumer (disconnect it to stop). */
export async function followStops({ brokers, topic, groupId, orders, fromBeginning = true }) {
  const kafka = new Kafka({ brokers, clientId: 'tickflow-stop-orders', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId });
  const follow = stopFollower(orders);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!WANTED.has(message.headers?.action?.toString() ?? '')) return;
      // The event contract, validated: a record that is not one is a bug upstream, not something to act on.
      await follow(SignalEventSchema.parse(JSON.parse(message.value.toString('utf8'))));
    },
  });
  return consumer;
}

/** Prints what an order manager would do. */
export const printOrders = {
  place: async (symbol, id, side, price) => console.log(`${symbol} ${id}: place ${side} stop at ${price}`),
  move: async (symbol, id, price, cause) => console.log(`${symbol} ${id}: move stop to ${price} (${cause})`),
  resize: async (symbol, id, remaining) => console.log(`${symbol} ${id}: stop now covers ${remaining * 100} % of the position`),
  cancel: async (symbol, id, reason) => console.log(`${symbol} ${id}: cancel stop (${reason})`),
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const [brokers = 'localhost:9092', topic = 'tickflow-events'] = process.argv.slice(2);
  const consumer = await followStops({ brokers: brokers.split(','), topic, groupId: 'tickflow-stop-orders', orders: printOrders });
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void consumer.disconnect());
}

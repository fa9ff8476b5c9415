import type { Message } from 'kafkajs';
import type { EventAction, SignalEvent } from '../core/events.js';

/** Which topic(s) an event goes to; an empty list publishes it nowhere (it still passes through in order). */
export type EventRoute = (event: SignalEvent) => string | readonly string[];

export type ActionRoutes = { readonly [A in EventAction]?: string | readonly string[] } & {
  /** Topic(s) every event goes to, in addition to its action's. */
  readonly '*'?: string | readonly string[];
};

const asList = (t: string | readonly string[] | undefined): readonly string[] =>
  t === undefined ? [] : typeof t === 'string' ? [t] : t;

/**
 * Route events by action.
 *
 * @example
 * ```ts
 * // every event to 'signals', closed signals also to 'signals-closed'
 * toKafka({ brokers, route: routeByAction({ '*': 'signals', closed: 'signals-closed' }) })
 * ```
 */
export function routeByAction(routes: ActionRoutes): EventRoute {
  const all = asList(routes['*']);
  const cache = new Map<string, readonly string[]>();
  return (event) => {
    let topics = cache.get(event.action);
    if (topics === undefined) {
      topics = [...new Set([...all, ...asList(routes[event.action])])];
      cache.set(event.action, topics);
    }
    return topics;
  };
}

/** The record key of a lane: all of a lane's events hash to one partition, so they stay in order. */
export function laneKey(event: Pick<SignalEvent, 'symbol' | 'strategy'>): string {
  return `${event.symbol}|${event.strategy}`;
}

/** An event as a Kafka record: JSON of the event contract, keyed by lane, headers `action` and `eventId`. */
export function eventMessage(event: SignalEvent): Message {
  return {
    key: laneKey(event),
    value: JSON.stringify(event),
    headers: { action: event.action, eventId: event.eventId },
  };
}

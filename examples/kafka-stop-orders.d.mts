import type { Consumer } from 'kafkajs';
import type { SignalEvent } from '../src/core/events.js';

export interface StopOrders {
  place(symbol: string, signalId: string, side: 'buy' | 'sell', price: number, fraction: number): Promise<void>;
  move(symbol: string, signalId: string, price: number, cause: string): Promise<void>;
  resize(symbol: string, signalId: string, remaining: number): Promise<void>;
  cancel(symbol: string, signalId: string, reason: string): Promise<void>;
}
export declare function stopFollower(orders: StopOrders): (event: SignalEvent) => Promise<boolean>;
export declare function followStops(options: { brokers: string[]; topic: string; groupId: string; orders: StopOrders; fromBeginning?: boolean }): Promise<Consumer>;
export declare const printOrders: StopOrders;

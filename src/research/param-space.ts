// Parameter spaces live in core (a strategy's schema validates them); research reads them from here too.
export * from '../core/param-space.js';

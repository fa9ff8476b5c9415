import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { BadPageError, ClockError, isPermanent, isTransient, RequestDeadlineError } from '../../src/ccxt.js';
import { EmptyPageError } from '../../src/sources/gap-rule.js';

describe('which exchange failures are worth another attempt', () => {
  const socket = Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' });
  const transient: Array<[string, unknown]> = [
    ["undici's SocketError, unwrapped by ccxt (a body cut mid-stream)", socket],
    ['a plain ECONNRESET read error', reset],
    ["undici's TypeError: terminated", new TypeError('terminated')],
    ['a zlib error (a gzip body cut off)', Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' })],
    ['a JSON syntax error', new SyntaxError('Unexpected end of JSON input')],
    ["ccxt's NetworkError", new ccxt.NetworkError('binance GET … fetch failed')],
    ["ccxt's RequestTimeout", new ccxt.RequestTimeout('timed out')],
    ["ccxt's DDoSProtection (429)", new ccxt.DDoSProtection('429')],
    ["ccxt's ExchangeNotAvailable (5xx)", new ccxt.ExchangeNotAvailable('503')],
    ["ccxt's generic ExchangeError (an unknown code)", new ccxt.ExchangeError('binance {"code":-9999}')],
    ['a bad page', new BadPageError('row 3 is not a candle row: null')],
    ['an empty page for settled slots', new EmptyPageError('no candles')],
    ['a stalled body', new RequestDeadlineError('no answer within 20000 ms')],
    ['a clock answer refused', new ClockError('answers disagree')],
    ['something that is not an Error', 'boom'],
  ];
  const permanent: Array<[string, unknown]> = [
    ['an unknown symbol (BadSymbol)', new ccxt.BadSymbol('binance does not have market symbol XRP/USDT')],
    ['a rejected parameter (BadRequest)', new ccxt.BadRequest('limit')],
    ['a refused key (AuthenticationError)', new ccxt.AuthenticationError('-2015')],
    ['missing permissions (PermissionDenied)', new ccxt.PermissionDenied('no')],
    ['a method the exchange lacks (NotSupported)', new ccxt.NotSupported('fetchOHLCV')],
  ];
  for (const [name, err] of transient) {
    it(`retries ${name}`, () => {
      expect(isTransient(err)).toBe(true);
      expect(isPermanent(err)).toBe(false);
    });
  }
  for (const [name, err] of permanent) {
    it(`gives up on ${name}`, () => {
      expect(isTransient(err)).toBe(false);
      expect(isPermanent(err)).toBe(true);
    });
  }
});

/** The id module (collectors/ids.ts) as the layers above the collectors read it. */
export {
  addressPort,
  bracketed,
  drainKey,
  rateKey,
  realServerKey,
  realServerRowId,
  serviceKey,
  serviceRowId,
} from '../../collectors/ids.js';

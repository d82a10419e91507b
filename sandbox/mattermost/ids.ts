/**
 * Mattermost's identifiers (server/public/model NewId) and the small value helpers every route module uses.
 */
import { randomBytes } from 'node:crypto';

// Mattermost ids are 16 random bytes in base32 with this alphabet: 26 lower-case alphanumerics.
const ID_ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

export function newMattermostId(): string {
  let id = '';
  let buffered = 0;
  let bufferedBits = 0;
  for (const byte of randomBytes(16)) {
    buffered = (buffered << 8) | byte;
    bufferedBits += 8;
    while (bufferedBits >= 5) {
      bufferedBits -= 5;
      id += ID_ALPHABET.charAt((buffered >>> bufferedBits) & 31);
    }
    buffered &= (1 << bufferedBits) - 1;
  }
  return id + ID_ALPHABET.charAt((buffered << (5 - bufferedBits)) & 31);
}

export const isValidId = (value: unknown): value is string => typeof value === 'string' && /^[a-z0-9]{26}$/.test(value);
export const runeLength = (text: string): number => [...text].length;
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** Every reply and inspection answer is a copy, so a caller never holds the sandbox's own records. */
export const copy = <T>(value: T): T => structuredClone(value);

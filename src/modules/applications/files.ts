import { randomInt } from 'node:crypto';

/** The types we can recognise from their first bytes; nothing else is ever accepted. */
export type SniffedType = 'application/pdf' | 'image/jpeg' | 'image/png';

const SIGNATURES: readonly { type: SniffedType; bytes: readonly number[] }[] = [
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];

/** What the file really is, judged by its first bytes (never by its name or the browser's word). */
export function sniffType(content: Uint8Array): SniffedType | undefined {
  return SIGNATURES.find((s) => s.bytes.length <= content.length && s.bytes.every((b, i) => content[i] === b))?.type;
}

export const TYPE_NAMES: Readonly<Record<string, string>> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPG', 'image/png': 'PNG' };
const EXTENSIONS: Readonly<Record<SniffedType, string>> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

export function extensionOf(type: string): string {
  return EXTENSIONS[type as SniffedType] ?? 'bin';
}

/**
 * The client's file name, only as a label to show back ("Current file: lease.pdf"): the last path
 * segment, without control characters or separators, at most 100 characters. It is never used as
 * a path or to decide the type; downloads get a name we make up.
 */
export function displayName(clientName: string, type: SniffedType): string {
  // eslint-disable-next-line no-control-regex
  const base = (clientName.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').normalize('NFC').trim();
  const name = [...base].slice(0, 100).join('');
  return name === '' || name === '.' || name === '..' ? `document.${EXTENSIONS[type]}` : name;
}

/** `10485760` → `10 MB`. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} B`;
}

/** No 0/O or 1/I: read over the phone or copied by hand, they are confused. */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const REFERENCE_PATTERN = /^TB-\d{4}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$/;

/** `TB-2026-7K3M9Q`: the year the application was made in China, then 6 random characters (~10⁹ a year). */
export function newReference(at: Date): string {
  const year = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(at);
  let code = '';
  for (let i = 0; i < 6; i += 1) code += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return `TB-${year}-${code}`;
}

/** Longest name in UTF-8 bytes: what ext4, APFS and NTFS all accept (255) less room for a temp suffix. */
const MAX_BYTES = 200
// Characters some file system or shell treats specially: path separators, Windows' reserved set, controls.
const FORBIDDEN = /[/\\<>:"|?*\u0000-\u001f\u007f]/
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i

/**
 * Why `name` cannot be a project folder or clip file name of the standalone
 * server, in words a person can act on; `null` when it can. Any script is
 * welcome (Cyrillic, accents, CJK, emoji); refused are names that would not
 * survive every file system or could be read as a path: separators, `< > :
 * " | ? *`, control characters, a leading dot (hidden and temporary files), a
 * leading dash (read as an option), a trailing dot or space, Windows device
 * names, unpaired surrogates, and more than 200 bytes of UTF-8.
 *
 * @example
 * ```ts
 * unsafeNameReason('Клип 01.mp4') // null
 * unsafeNameReason('a:b.mp4') // 'contains : (not allowed in file names: / \ < > : " | ? *)'
 * ```
 */
export function unsafeNameReason(name: string): string | null {
  if (name.trim() === '') return 'is empty'
  const bad = FORBIDDEN.exec(name)?.[0]
  if (bad !== undefined) {
    const shown = /[\u0000-\u001f\u007f]/.test(bad) ? 'a control character' : bad
    return `contains ${shown} (not allowed in file names: / \\ < > : " | ? *)`
  }
  if (name.startsWith('.')) return 'starts with a dot (hidden or temporary file)'
  if (name.startsWith('-')) return 'starts with a dash'
  if (/[. ]$/.test(name)) return 'ends with a dot or a space'
  if (WINDOWS_DEVICES.test(name)) return 'is a reserved device name on Windows'
  if (UNPAIRED_SURROGATE.test(name)) return 'is not well-formed Unicode'
  if (Buffer.byteLength(name, 'utf8') > MAX_BYTES) return `is longer than ${MAX_BYTES} bytes`
  return null
}

/**
 * Whether `name` is safe as a project folder or clip file name (see
 * {@link unsafeNameReason}): only such names are listed and served.
 *
 * @example
 * ```ts
 * isSafeName('Мастер 003') // true
 * isSafeName('../etc') // false
 * ```
 */
export function isSafeName(name: string): boolean {
  return unsafeNameReason(name) === null
}

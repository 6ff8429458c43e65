/**
 * Control characters (NUL, bell, escape sequences, tabs, line breaks) and bidirectional controls
 * (U+202E RIGHT-TO-LEFT OVERRIDE and its kin). In a file name they make it show something other
 * than it is, 'report\u202Etxt.exe.md' reading as 'reportdm.exe.txt', or drive a terminal.
 */
const MISLEADING = /[\p{Cc}\p{Bidi_Control}]/gu;

/** An uploaded file's name as it is stored and shown: without those characters; undefined when nothing is left. */
export function displayableFileName(name: string | undefined): string | undefined {
  const shown = name?.replace(MISLEADING, '').trim();
  return shown || undefined;
}

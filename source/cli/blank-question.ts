// What a question must hold to be asked: something a reader sees.
import {printable} from '../text/printable.js';

/** Whether a question has nothing to read: only blanks, or only control characters, escape sequences
 * and invisible format characters (zero-width spaces, BOMs...), which printable() takes out. */
export const isBlankQuestion = (text: string | undefined): boolean => text === undefined || printable(text).trim() === '';

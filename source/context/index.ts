// Context from where users keep it: files, folders (honouring .gitignore), globs, stdin, JSON data.
// A stand-alone room: the CLI, the TUI, serve and the MCP server use it; it imports only protocol.
export {ContextLoadError, ContextTooLargeError} from './errors.js';
export {loadContext, type ContextLoadOptions, type LoadedContext} from './load.js';
export {contextFormats, type ContextFormat} from './json.js';
export {defaultMaxContextBytes, formatBytes, parseByteSize} from './size.js';
export {badgeText, contextBadge, contextShape, describeBadge, describeLoaded, resumedContextBadge, type ContextBadge} from './summary.js';
export {skippedLine} from './skipped-line.js';
export type {SkippedFile, SkipReason} from './found-files.js';
export {looksBinary, maxContextFileChars} from './text-file.js';
export {AllowedFolders, isInside} from './within.js';

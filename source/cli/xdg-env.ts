// The XDG base directory spec: "If an implementation encounters a relative path in any of these
// variables it should consider the path invalid and ignore it." env-paths and conf (which find the
// cache, log and settings folders) take the variables as they are, so a relative one
// (XDG_CACHE_HOME=relcache) would put rlm-tui's files under whatever folder a run starts in. The
// entry drops such values before anything reads them: the defaults under the home folder apply.
import {isAbsolute} from 'node:path';

const XDG_VARIABLES = ['XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_RUNTIME_DIR'] as const;

/** Removes from `env` each XDG base directory variable that is set but not an absolute path. */
export function dropRelativeXdgPaths(env: NodeJS.ProcessEnv = process.env): void {
	for (const name of XDG_VARIABLES) {
		const value = env[name];
		if (value !== undefined && !isAbsolute(value)) delete env[name];
	}
}

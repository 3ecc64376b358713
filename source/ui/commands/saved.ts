// How a command that changes a setting says where the change went (settings/store.ts save()).

/** 'saved', or why the settings file was not written: the change then holds for this session only. */
export function savedWord(problem: string | null): string {
	return problem === null ? 'saved' : `not saved: ${problem}; it holds for this session only`;
}

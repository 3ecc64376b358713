// What a hand-edited settings file holds that the schema drops: a value out of range or of the
// wrong type falls back to its default (schema.ts's `.catch`), and this names it for the user in
// one line (the key, the value, what is accepted), so the file's intent is not lost without a word.
import * as z from 'zod';
import {settingsSchema} from './schema.js';
import {clipped} from '../protocol/quoted.js';
import {redactSecrets} from '../protocol/redact.js';

type JsonSchema = {
	type?: string;
	enum?: unknown[];
	format?: string;
	minimum?: number;
	maximum?: number;
	exclusiveMinimum?: number;
	exclusiveMaximum?: number;
	minLength?: number;
	maxLength?: number;
	maxItems?: number;
	anyOf?: JsonSchema[];
};

/** A value as the notice quotes it: JSON without a secret (a URL's credentials, a key's shape),
 * cut once redacted (quoted.ts clipped), so no part of a key shows. */
const shown = (value: unknown): string => clipped(redactSecrets(JSON.stringify(value) ?? String(value)));

function range(schema: JsonSchema): string {
	const low = schema.minimum !== undefined ? {n: schema.minimum, open: false} : schema.exclusiveMinimum !== undefined ? {n: schema.exclusiveMinimum, open: true} : undefined;
	// No upper bound worth saying (a whole number up to Number.MAX_SAFE_INTEGER).
	const high = schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? {n: schema.maximum, open: false} : schema.exclusiveMaximum !== undefined ? {n: schema.exclusiveMaximum, open: true} : undefined;
	if (low && high && !low.open && !high.open) return ` from ${low.n} to ${high.n}`;
	const parts = [low ? `${low.open ? 'above' : 'at least'} ${low.n}` : '', high ? `${high.open ? 'below' : 'at most'} ${high.n}` : ''].filter(Boolean);
	return parts.length ? ` ${parts.join(', ')}` : '';
}

/** What a field's schema accepts, in words: "a whole number from 0 to 480", "one of "dark", "light"". */
export function acceptedValues(schema: JsonSchema): string {
	const options = schema.anyOf?.filter((option) => option.type !== 'null');
	if (options?.length === 1) return acceptedValues(options[0]!);
	if (schema.enum) return `one of ${schema.enum.map((option) => JSON.stringify(option)).join(', ')}`;
	switch (schema.type) {
		case 'integer':
			return `a whole number${range(schema)}`;
		case 'number':
			return `a number${range(schema)}`;
		case 'boolean':
			return 'true or false';
		case 'array':
			return `a list of names${schema.maxItems !== undefined ? ` (at most ${schema.maxItems})` : ''}`;
		case 'string':
			if (schema.format === 'uri') return 'a URL';
			return `text of ${schema.minLength ?? 0} to ${schema.maxLength ?? 'any number of'} characters`;
		default:
			return 'another value';
	}
}

/** The schema a `.catch` falls back from, or null when the field has none. */
function strictOf(field: z.ZodType): z.ZodType | null {
	return field instanceof z.ZodCatch ? (field.unwrap() as z.ZodType) : null;
}

function describe(schema: z.ZodType): string {
	try {
		return acceptedValues(z.toJSONSchema(schema, {unrepresentable: 'any', io: 'input'}) as JsonSchema);
	} catch {
		return 'another value';
	}
}

/** The file's top-level keys whose value (or a part of it) the schema would drop. */
export function droppedSettingKeys(input: unknown): string[] {
	return droppedSettings(input).map((phrase) => /^"([^".]+)/.exec(phrase)?.[1] ?? '');
}

/** One phrase per value the schema would drop, in the file's key order (`"key": value is not …`). */
export function droppedSettings(input: unknown): string[] {
	if (input === null || typeof input !== 'object' || Array.isArray(input)) return [];
	const shape = (settingsSchema.unwrap() as z.ZodObject).shape as Record<string, z.ZodType>;
	const problems: string[] = [];
	const check = (key: string, field: z.ZodType | undefined, value: unknown) => {
		// null reads as "not set", as a missing key does.
		if (!field || value === undefined || value === null) return;
		const strict = strictOf(field);
		if (!strict) return;
		if (strict instanceof z.ZodObject) {
			// A per-backend map (models, baseURLs): each backend's value has its own fallback.
			if (value === null || typeof value !== 'object' || Array.isArray(value)) {
				problems.push(`"${key}": ${shown(value)} is not an object of one value per backend`);
				return;
			}
			for (const [name, child] of Object.entries(value)) check(`${key}.${name}`, (strict.shape as Record<string, z.ZodType>)[name], child);
			return;
		}
		if (!strict.safeParse(value).success) problems.push(`"${key}": ${shown(value)} is not ${describe(strict)}`);
	};
	for (const [key, value] of Object.entries(input)) check(key, shape[key], value);
	return problems;
}

/** The store's notice for the dropped values, one line, or undefined when none was dropped. */
export function droppedSettingsNotice(path: string, input: unknown): string | undefined {
	const problems = droppedSettings(input);
	if (problems.length === 0) return undefined;
	return `Settings file ${path}: ${problems.join('; ')}. ${problems.length === 1 ? 'It was' : 'They were'} ignored and the default${problems.length === 1 ? ' is' : 's are'} used.`;
}

// response_format / text.format: what the RLM is told about the answer's shape, and the check the
// answer must pass before a client sees it (JSON; with a schema, that schema via zod).
import * as z from 'zod';
import type {OutputFormat} from './request-schema.js';

/** Instructions appended to the root model's system prompt, or undefined for plain text. */
export function formatInstructions(format: OutputFormat): string | undefined {
	if (format.type === 'text') return undefined;
	const base =
		'The final answer you submit with llm_output(...) must be a single JSON value and nothing else: no prose, no Markdown code fence. Build it as a Python object and submit json.dumps(obj).';
	if (format.type === 'json_object' || !format.schema) return `${base} It must be a JSON object.`;
	return [
		`${base} It must be valid against this JSON Schema${format.name ? ` ("${format.name}")` : ''}; every required property present, no others where additionalProperties is false:`,
		JSON.stringify(format.schema),
		format.description ? `What the schema is for: ${format.description}` : '',
	]
		.filter(Boolean)
		.join('\n');
}

export type OutputCheck = {ok: true; text: string} | {ok: false; problem: string};

/** A ```json fence around the whole answer, which models add however they are told. */
const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i;

const schemaCache = new WeakMap<object, z.ZodType | null>();

function schemaFor(schema: Record<string, unknown>): z.ZodType | null {
	if (!schemaCache.has(schema)) {
		let converted: z.ZodType | null;
		try {
			converted = z.fromJSONSchema(schema);
		} catch {
			converted = null;
		}
		schemaCache.set(schema, converted);
	}
	return schemaCache.get(schema)!;
}

/** Checks `answer` against `format`: the JSON text to return (a fence taken off), or what is wrong. */
export function checkOutput(format: OutputFormat, answer: string): OutputCheck {
	if (format.type === 'text') return {ok: true, text: answer};
	const text = fenced.exec(answer)?.[1] ?? answer.trim();
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return {ok: false, problem: `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`};
	}
	if (format.type === 'json_object' || !format.schema) {
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? {ok: true, text} : {ok: false, problem: 'it is JSON but not an object'};
	}
	const schema = schemaFor(format.schema);
	// A schema zod cannot read is still honoured as far as it can be: the answer is JSON.
	if (!schema) return {ok: true, text};
	const result = schema.safeParse(value);
	if (result.success) return {ok: true, text};
	const issues = result.error.issues.slice(0, 8).map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
	return {ok: false, problem: `it does not match the schema: ${issues.join('; ')}`};
}

/** The follow-up question when an answer failed its check (the REPL and its variables are kept). */
export function repairPrompt(problem: string): string {
	return `Your final answer cannot be returned: ${problem}. Fix it in the REPL and submit the corrected JSON with llm_output(json.dumps(...)): only the JSON, nothing else.`;
}

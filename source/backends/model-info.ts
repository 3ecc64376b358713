// What we know about a model without asking a server: its context window and its price.
// Hosted models come from tokenlens' bundled models.dev catalog (offline, no fetch), plus a few
// newer ones it lacks. Local models (Ollama names like `llama3.1:8b`) are unknown: callers fall back
// to DEFAULT_CONTEXT_TOKENS and show no cost.

import {anthropicModels} from 'tokenlens/providers/anthropic';
import {deepseekModels} from 'tokenlens/providers/deepseek';
import {googleModels} from 'tokenlens/providers/google';
import {mistralModels} from 'tokenlens/providers/mistral';
import {openaiModels} from 'tokenlens/providers/openai';
import {xaiModels} from 'tokenlens/providers/xai';
import type {ChatMessage, Usage} from './types.js';

/** A guess for the context window of a model we know nothing about (a local model, usually). */
export const DEFAULT_CONTEXT_TOKENS = 32_768;

export interface ModelInfo {
	/** Context window in tokens. */
	contextTokens?: number;
	/** USD per million input tokens. */
	inputUsdPerMillion?: number;
	/** USD per million output tokens. */
	outputUsdPerMillion?: number;
}

interface CatalogModel {
	id: string;
	cost?: {input?: number; output?: number};
	limit?: {context?: number};
}

interface CatalogProvider {
	models: Record<string, CatalogModel>;
}

// Newer models the bundled catalog does not list yet.
const EXTRA: Record<string, ModelInfo> = {
	// Anthropic's model pages (platform.claude.com/docs/en/models/*/overview), 2026-12.
	'claude-sonnet-5-5': {contextTokens: 1_000_000, inputUsdPerMillion: 2, outputUsdPerMillion: 10},
	'claude-opus-5-5': {contextTokens: 1_000_000, inputUsdPerMillion: 4, outputUsdPerMillion: 20},
	// From $0.10 / $0.50 for prompts up to 100,000 tokens ($0.50 / $2.50 above): the lower tier.
	'claude-haiku-5-5': {contextTokens: 1_000_000, inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.5},
	'claude-sonnet-5': {contextTokens: 1_000_000, inputUsdPerMillion: 2, outputUsdPerMillion: 10},
	'claude-opus-5': {contextTokens: 1_000_000, inputUsdPerMillion: 5, outputUsdPerMillion: 25},
	'claude-sonnet-4-5': {contextTokens: 200_000, inputUsdPerMillion: 3, outputUsdPerMillion: 15},
	'claude-haiku-4-5': {contextTokens: 200_000, inputUsdPerMillion: 1, outputUsdPerMillion: 5},
	'claude-opus-4-5': {contextTokens: 200_000, inputUsdPerMillion: 5, outputUsdPerMillion: 25},
};

let index: Map<string, ModelInfo> | undefined;

function buildIndex(): Map<string, ModelInfo> {
	const map = new Map<string, ModelInfo>();
	// Earlier providers win when two list the same id.
	const providers = [openaiModels, anthropicModels, googleModels, deepseekModels, xaiModels, mistralModels] as unknown as CatalogProvider[];
	const add = (key: string, info: ModelInfo): void => {
		if (!map.has(key)) map.set(key, info);
	};
	for (const provider of providers) {
		for (const model of Object.values(provider.models)) {
			const info: ModelInfo = {
				contextTokens: model.limit?.context,
				inputUsdPerMillion: model.cost?.input,
				outputUsdPerMillion: model.cost?.output,
			};
			const id = model.id.toLowerCase();
			add(id, info);
			add(stripVersion(id), info);
		}
	}
	for (const [id, info] of Object.entries(EXTRA)) add(id, info);
	return map;
}

/** Drops a trailing date stamp or `-latest` (claude-3-5-haiku-20241022 -> claude-3-5-haiku). */
function stripVersion(id: string): string {
	return id.replace(/-(latest|\d{8}|\d{4}-\d{2}-\d{2})$/, '');
}

/** Everything we know about `model`, or undefined for an unknown (usually local) model. */
export function modelInfo(model: string): ModelInfo | undefined {
	index ??= buildIndex();
	let id = model.trim().toLowerCase();
	// Provider prefixes as routers spell them: openai/gpt-4o, anthropic:claude-...
	id = id.replace(/^(openai|anthropic|google|deepseek|x-ai|xai|mistral|mistralai)[/:]/, '');
	return index.get(id) ?? index.get(stripVersion(id));
}

/** The model's context window in tokens, when known. */
export function contextWindowTokens(model: string): number | undefined {
	return modelInfo(model)?.contextTokens;
}

/** The price of `usage` on `model` in USD, when the model's price is known. */
export function estimateCostUsd(model: string, usage: Usage): number | undefined {
	const info = modelInfo(model);
	if (info?.inputUsdPerMillion === undefined || info.outputUsdPerMillion === undefined) return undefined;
	return (usage.inputTokens * info.inputUsdPerMillion + usage.outputTokens * info.outputUsdPerMillion) / 1_000_000;
}

/** A rough token count for text when a server reports none: about four characters a token. */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/** A rough token count for a prompt (the sum over its messages). */
export function estimateMessagesTokens(messages: readonly ChatMessage[]): number {
	let chars = 0;
	for (const message of messages) chars += message.content.length;
	return Math.ceil(chars / 4);
}

export * from './types.js';
export {AnthropicBackend, DEFAULT_ANTHROPIC_BASE_URL, DEFAULT_ANTHROPIC_MAX_TOKENS, toAnthropicPrompt} from './anthropic.js';
export {OpenAIBackend, DEFAULT_OPENAI_BASE_URL} from './openai.js';
export {DemoBackend} from './demo.js';
export {createBackend, collectStream, BACKEND_KINDS, BACKEND_NAMES} from './create.js';
export {toBackendError, keyEnvVar, kindLabel} from './errors.js';
export {
	DEFAULT_CONTEXT_TOKENS,
	contextWindowTokens,
	estimateCostUsd,
	estimateTokens,
	estimateMessagesTokens,
	modelInfo,
	type ModelInfo,
} from './model-info.js';


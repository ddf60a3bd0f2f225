export { TongbanError, defineErrors, registeredErrors, errorSpec, type DenialReason, type ErrorSpec, type FieldProblem, type RegisteredError } from './errors.js';
export { KernelErrors } from './kernel-errors.js';
export { toProblem, toTongbanError, type Problem } from './problem.js';
export { errorHandlerPlugin, frameworkErrorHandler, logDenial, type ErrorPageRenderer } from './error-handler.js';
export { wantsHtml } from './wants-html.js';
export { field, single } from './query.js';
export { MAX_JSON_DEPTH, tooDeepPointer } from './json-depth.js';

/** Create: its UI, the reading and pricing of a request, the one send, and the wait. */
export { description } from './description';
export type { PreparedCreate } from './prepare';
export { checkRun, prepare } from './prepare';
export { execute } from './execute';

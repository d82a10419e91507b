/** The workflow module the worker loads: every workflow type this service runs. */
export { incident } from './incident.js';
export { alertGroup } from './alert-group.js';

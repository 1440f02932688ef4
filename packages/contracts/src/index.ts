export * from './identifiers.js';
export * from './aorta-id.js';
export * from './problem.js';
export * from './interactions.js';
export * from './people.js';
export * from './medication.js';
export * from './switch-point.js';

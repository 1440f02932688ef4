export { profile } from './profile.js';

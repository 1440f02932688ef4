import { runConsumer } from '@schakel/consult';
import { profile } from './profile.js';

runConsumer(profile);

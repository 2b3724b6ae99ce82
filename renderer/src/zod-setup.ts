// Imported before the contract: zod compiles fast parsers with `new Function`
// unless told not to, and the console's CSP (no 'unsafe-eval') would report
// that probe as a violation. This must run before any schema is built.
import { z } from 'zod';

z.config({ jitless: true });

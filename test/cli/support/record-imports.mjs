// `node --import ./record-imports.mjs ...`: appends every module URL the process resolves (ESM
// imports, including packages' entry points) to the file named by $RECORD_IMPORTS, one per line.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url);

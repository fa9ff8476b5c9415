// The benchmarks' CLI strategy module: the momentum workload of common.mjs as a default export.
import { momentumStrategy } from './common.mjs';

export default momentumStrategy({ name: 'momentum-5m' });

// npm run load:cost: the cost view on its own (load/cost-view.ts).
import { runCostView } from './cost-view.js';

await runCostView();

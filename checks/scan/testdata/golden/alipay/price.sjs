import fmt from './fmt.sjs';
import { PER_YUAN } from '../config/cents.sjs';
export const yuan = v => fmt.fixed(v / PER_YUAN, 2);
export default { yuan };

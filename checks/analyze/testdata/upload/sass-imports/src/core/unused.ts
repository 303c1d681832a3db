// Reached by nothing: WeChat's unused-file rule drops it.
export const UNUSED = 'unused'

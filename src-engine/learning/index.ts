// Few-shot class learning on backbone features (issue 5, engine part).
export * from './learner';
export * from './binary-fc';
export * from './ncm';
export * from './episodes';

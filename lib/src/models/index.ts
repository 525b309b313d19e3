export type { LayerActivationName } from './layers';
export * from './mlp';
export * from './lenet';
export * from './resnet';
export * from './pretrained';
export * from './mixture-of-experts';
export * from './transformer/index';
export * from './bag-of-words';
export * from './pretrained-encoder';

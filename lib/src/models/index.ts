export * from './scale';
export * from './mlp';
export * from './resnet';
export * from './pretrained';

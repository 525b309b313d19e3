/** Chapter 6's Transformer: layers, the encoder, and its two heads. */
export {
  gelu,
  Linear,
  LayerNormalization,
  EmbeddingLayer,
  MultiHeadSelfAttention,
  FeedForward,
  EncoderLayer,
  type AttentionProjections,
} from './layers';
export * from './encoder';
export * from './heads';

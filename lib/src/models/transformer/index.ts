/** Chapter 6's Transformer: layers, the encoder, and its two heads; chapter 13's GPT, its generation and its cached step in plain JavaScript. */
export {
  geluTanh,
  LinearLayer,
  LayerNorm,
  EmbeddingLayer,
  MultiHeadSelfAttention,
  FeedForward,
  EncoderLayer,
  type AttentionProjections,
} from './layers';
export * from './encoder';
export * from './heads';
export * from './gpt';
export * from './plain-decoder';
export * from './generation';

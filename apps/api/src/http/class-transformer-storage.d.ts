/** class-transformer's metadata storage: its runtime module, typed by the declarations it ships. */
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}

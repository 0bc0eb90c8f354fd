/** Large objects (issued documents, later PDFs) live in object storage; items hold keys and hashes. */
export interface ObjectStore {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
}

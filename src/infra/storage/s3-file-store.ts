import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { checkKey, checkPrefix, FileStore, StoredFile, StoredFileMissing } from './file-store';

export interface S3Location {
  bucket: string;
  /** '' or folders ending in a slash: every key is stored as prefix + key. */
  prefix: string;
}

/** s3://bucket/some/prefix → { bucket, prefix: 'some/prefix/' }. */
export function parseStorageUrl(url: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new Error('STORAGE_URL must be s3://bucket or s3://bucket/prefix');
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: match[1], prefix: prefix ? `${checkKey(prefix)}/` : '' };
}

export interface S3Settings {
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

const notFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/**
 * The store in an S3-compatible bucket (AWS S3, MinIO), shared by every machine. Uploads go
 * in parts (lib-storage), so a print file is read from disk a few megabytes at a time; reads
 * hand back the response body as it arrives.
 */
export class S3FileStore extends FileStore {
  readonly client: S3Client;

  constructor(private readonly where: S3Location, settings: S3Settings) {
    super();
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      // A self-hosted store (MinIO) answers at one address with the bucket in the path.
      forcePathStyle: Boolean(settings.endpoint),
      credentials: settings.accessKeyId && settings.secretAccessKey
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
        : undefined,
      // Checksums only where the API requires them: S3-compatible stores do not all accept the
      // streamed trailing checksums the SDK would otherwise send with every upload.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  get location(): string {
    return `s3://${this.where.bucket}/${this.where.prefix}`;
  }

  private objectKey(key: string): string {
    return this.where.prefix + checkKey(key);
  }

  async put(key: string, body: Readable | Buffer | string): Promise<void> {
    await new Upload({
      client: this.client,
      params: { Bucket: this.where.bucket, Key: this.objectKey(key), Body: body },
      // 8 MiB parts, two at a time: a bounded buffer whatever the file's size.
      partSize: 8 * 1024 * 1024,
      queueSize: 2,
    }).done();
  }

  async putFile(key: string, localPath: string): Promise<void> {
    await this.put(key, createReadStream(localPath));
  }

  async read(key: string): Promise<Readable> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: this.objectKey(key) }));
      return answer.Body as Readable;
    } catch (error) {
      if (notFound(error)) throw new StoredFileMissing(key);
      throw error;
    }
  }

  async stat(key: string): Promise<StoredFile | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.where.bucket, Key: this.objectKey(key) }));
      return { key, size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  async list(prefix: string): Promise<StoredFile[]> {
    const files: StoredFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({
        Bucket: this.where.bucket, Prefix: this.where.prefix + checkPrefix(prefix), ContinuationToken: token,
      }));
      for (const o of page.Contents ?? []) {
        files.push({ key: o.Key!.slice(this.where.prefix.length), size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** A copy inside the store (no bytes through this machine), then the old key deleted. */
  async move(from: string, to: string): Promise<void> {
    try {
      await this.client.send(new CopyObjectCommand({
        Bucket: this.where.bucket, Key: this.objectKey(to),
        CopySource: encodeURI(`${this.where.bucket}/${this.objectKey(from)}`),
      }));
    } catch (error) {
      if (notFound(error)) throw new StoredFileMissing(from);
      throw error;
    }
    await this.delete(from);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.objectKey(key) }));
  }

  /** A thousand keys a request, the API's limit. */
  protected override async deleteMany(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const answer = await this.client.send(new DeleteObjectsCommand({
        Bucket: this.where.bucket, Delete: { Objects: batch.map((k) => ({ Key: this.objectKey(k) })), Quiet: true },
      }));
      if (answer.Errors?.length) throw new Error(`The object store did not delete ${answer.Errors.length} file(s): ${answer.Errors[0].Code} ${answer.Errors[0].Message}`);
    }
  }

  override close(): void {
    this.client.destroy();
  }
}

import type { KeyKind, Project } from "../core/access/project-model.js";

/** A key as stored: its hash, never the secret (write keys, which are public, also keep the key itself). */
export interface StoredKey {
  id: string;
  /** "" for admin keys, which are not tied to a project. */
  projectId: string;
  kind: KeyKind;
  hash: string;
  hint: string;
  /** Write keys only: the key, so it can be listed again (it goes into web pages anyway). */
  publicKey: string;
  label: string;
  createdAtMs: number;
  /** 0 while in use. */
  revokedAtMs: number;
}

/** Projects and keys, kept in the configured database: one implementation per database. */
export interface AccessStore {
  projects(): Promise<Project[]>;
  /** Inserts a new project; false when its id is taken (two creating the same id at once: one wins). */
  createProject(project: Project): Promise<boolean>;
  /** Replaces the project with this id. */
  saveProject(project: Project): Promise<void>;
  /** Every key, revoked ones included. */
  keys(): Promise<StoredKey[]>;
  addKey(key: StoredKey): Promise<void>;
  /** Marks the key revoked; false when there is no such key. */
  revokeKey(id: string, atMs: number): Promise<boolean>;
}

/** Deleting stored events: one user's on request (erasure), or a project's older ones (retention). */
export interface EventEraser {
  /** Deletes every stored event of `distinctId` in the project, and its rows in any rollup; resolves with how many events went. */
  eraseUser(projectId: string, distinctId: string): Promise<number>;
  /** Deletes the project's events stamped before `beforeMs`, rollups included; resolves with how many went. */
  deleteBefore(projectId: string, beforeMs: number): Promise<number>;
}

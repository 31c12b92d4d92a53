// Debian's chromium, headless, driven over the DevTools protocol by puppeteer-core (no browser
// download): a fresh profile per launch, removed on close. Console messages of level error,
// page errors, dialogs and any request that is not file:/data: are collected for assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { findExecutable } from '../../fixtures/postfix/tools.js';

export const chromiumPath = findExecutable('chromium') ?? findExecutable('chromium-browser');

export interface Chromium {
  browser: Browser;
  /** A new page whose problems land in the returned arrays. */
  page(): Promise<{ page: Page; errors: string[]; requests: string[]; dialogs: string[] }>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  if (!chromiumPath) throw new Error('chromium not found (apt-get install -y chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'mxprobe-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: chromiumPath,
      headless: true,
      userDataDir: profile,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`],
      timeout: 30_000,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    browser,
    async page() {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      const dialogs: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${(e as Error).message ?? String(e)}`));
      page.on('request', (r) => {
        if (!/^(file|data|about):/.test(r.url())) requests.push(r.url());
      });
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      return { page, errors, requests, dialogs };
    },
    async close() {
      await browser.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

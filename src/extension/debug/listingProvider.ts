/**
 * Content of `tritscope-listing:/<model>.tnn.listing` documents: the model
 * listing the debug adapter's stack frames and breakpoints refer to (the same
 * pure function computes it on both sides).
 */
import * as vscode from 'vscode';
import { peekTnnHeader } from '../../core/format/index';
import { buildListing, LISTING_SCHEME, modelPathOfListing } from '../../debug/listing';

export const LISTING_LANGUAGE = 'tritscope-listing';

export class ListingContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const modelPath = modelPathOfListing(uri.path);
    try {
      // Header only (graph + tensor shapes): this runs on the extension host, and reading the whole
      // file (all weights, checksum) took 23–114 ms there for a 25 M-trit model, more for float latents.
      const header = await peekTnnHeader(modelPath);
      const shapes = new Map(header.tensors.map((t) => [t.name, t.shape]));
      return buildListing(header.graph, (n) => shapes.get(n), modelPath).text;
    } catch (e) {
      return `# cannot list ${modelPath}: ${(e as Error).message}\n`;
    }
  }
}

export function registerListing(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(LISTING_SCHEME, new ListingContentProvider()));
  // The document's path ends in `.listing`; give it the language breakpoints are allowed in.
  const setLanguage = (doc: vscode.TextDocument): void => {
    if (doc.uri.scheme === LISTING_SCHEME && doc.languageId !== LISTING_LANGUAGE)
      void vscode.languages.setTextDocumentLanguage(doc, LISTING_LANGUAGE).then(undefined, () => undefined);
  };
  vscode.workspace.textDocuments.forEach(setLanguage);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(setLanguage));
}

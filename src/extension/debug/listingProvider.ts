/**
 * Content of `tritscope-listing:/<model>.tnn.listing` documents: the model
 * listing the debug adapter's stack frames and breakpoints refer to (the same
 * pure function computes it on both sides).
 */
import * as vscode from 'vscode';
import { readTnnFile } from '../../core/format/index';
import { buildListing, LISTING_SCHEME, modelPathOfListing } from '../../debug/listing';

export const LISTING_LANGUAGE = 'tritscope-listing';

export class ListingContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const modelPath = modelPathOfListing(uri.path);
    try {
      const model = await readTnnFile(modelPath);
      return buildListing(model.graph, (n) => model.tensors.get(n)?.shape, modelPath).text;
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

// What each export holds: the filter given to the rows' owner, the count told up front,
// and the CSV columns (the JSON form is the list's items as they are).
import type { z } from 'zod';
import type { NoticeExportQuery, TransactionExportQuery } from '../../contract/api.ts';
import type { Services } from '../services.ts';
import type { ExportColumn, ExportSource } from './export.ts';
import { countTransactions, transactionPages, type TransactionItem } from '../purchases/transactions.ts';
import type { NoticeSummaryView } from '../notices/notices.ts';

const transactionColumns: readonly ExportColumn<TransactionItem>[] = [
  { name: 'id', value: (t) => t.id },
  { name: 'transactionID', value: (t) => t.transactionID },
  { name: 'status', value: (t) => t.status },
  { name: 'appKey', value: (t) => t.appKey },
  { name: 'appName', value: (t) => t.appName },
  { name: 'itemId', value: (t) => t.item.id },
  { name: 'itemName', value: (t) => t.item.name },
  { name: 'productData', value: (t) => t.item.productData },
  { name: 'amount', value: (t) => t.price.amount },
  { name: 'currency', value: (t) => t.price.currency },
  { name: 'price', value: (t) => t.price.display },
  { name: 'refundedAmount', value: (t) => t.refundedAmount },
  { name: 'buyerEmail', value: (t) => t.buyerEmail },
  { name: 'createdAt', value: (t) => t.createdAt },
  { name: 'completedAt', value: (t) => t.completedAt },
];

const noticeFields = ['id', 'webhookId', 'type', 'status', 'origin', 'parentId', 'appKey', 'purchaseId', 'transactionID', 'seq', 'url', 'attempts', 'maxAttempts',
  'nextAttemptAt', 'lastAttemptAt', 'lastVerdict', 'lastReason', 'deliveredAt', 'failedAt', 'createdAt'] as const satisfies readonly (keyof NoticeSummaryView)[];
const noticeColumns: readonly ExportColumn<NoticeSummaryView>[] = noticeFields.map((name) => ({ name, value: (n) => n[name] }));

export interface ExportSources {
  exportTransactions(query: z.output<typeof TransactionExportQuery>): ExportSource<TransactionItem>;
  exportNotices(query: z.output<typeof NoticeExportQuery>): ExportSource<NoticeSummaryView>;
}

export function exportSources(s: Pick<Services, 'ctx' | 'apps' | 'wallet' | 'notices'>): ExportSources {
  return {
    exportTransactions: ({ format: _format, ...filter }) => ({
      kind: 'transactions',
      total: countTransactions(s.ctx.db, filter),
      pages: transactionPages(s.ctx.db, { apps: s.apps, wallet: s.wallet }, filter),
      columns: transactionColumns,
    }),
    exportNotices: ({ format: _format, ...filter }) => ({
      kind: 'notices', total: s.notices.count(filter), pages: s.notices.pages(filter), columns: noticeColumns,
    }),
  };
}

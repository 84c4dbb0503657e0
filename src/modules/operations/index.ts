// Operations: work a request starts and a job finishes (bulk tag apply and remove), with its state,
// its result or its error, for the caller to read back.
export { findOperation, finishOperation, insertOperation, lockUnfinished, startOperation, type NewOperation, type OperationRow, type Outcome } from './operations.repo.js';

// Sales (issue 5, items 7 and 8): orders and deliveries (vehicles and ownership), after-sales by API
// and CSV, lifetime value, origin credit.
export { cancelOrder, createOrder, deliverOrder, getOrder, invoiceOrder, listOrders, type SalesDeps } from './orders.js';
export { createAfterSales, importAfterSales } from './after-sales.js';
export { MAX_IMPORT_ROWS } from './csv.js';
export { profileLtv, profileOrigin } from './customer-value.js';

CREATE TABLE `billing_payments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`invoice_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`paid_on` text NOT NULL,
	`amount_paise` integer NOT NULL,
	`mode` text NOT NULL,
	`reference` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `billing_invoices`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "billing_payments_amount_check" CHECK("billing_payments"."amount_paise" > 0)
);
--> statement-breakpoint
CREATE INDEX `billing_payments_invoice_idx` ON `billing_payments` (`invoice_id`,`id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_billing_invoices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`status` text NOT NULL,
	`number` text,
	`financial_year` text,
	`sequence` integer,
	`customer_id` integer NOT NULL,
	`invoice_date` text NOT NULL,
	`requested_date` text,
	`due_date` text NOT NULL,
	`place_of_supply` text NOT NULL,
	`supply` text NOT NULL,
	`lut` integer DEFAULT false NOT NULL,
	`reverse_charge` integer DEFAULT false NOT NULL,
	`ship_to_address` text DEFAULT '' NOT NULL,
	`seller_name` text NOT NULL,
	`seller_gstin` text NOT NULL,
	`seller_state_code` text NOT NULL,
	`seller_address` text NOT NULL,
	`seller_signatory` text DEFAULT '' NOT NULL,
	`buyer_name` text NOT NULL,
	`buyer_gstin` text,
	`buyer_state_code` text NOT NULL,
	`buyer_address` text NOT NULL,
	`buyer_email` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`taxable_paise` integer NOT NULL,
	`discount_paise` integer NOT NULL,
	`cgst_paise` integer NOT NULL,
	`sgst_paise` integer NOT NULL,
	`igst_paise` integer NOT NULL,
	`cess_paise` integer DEFAULT 0 NOT NULL,
	`round_off_paise` integer NOT NULL,
	`total_paise` integer NOT NULL,
	`paid_paise` integer DEFAULT 0 NOT NULL,
	`issued_at` integer,
	`paid_at` integer,
	`cancelled_at` integer,
	`cancel_reason` text DEFAULT '' NOT NULL,
	`overdue_notified_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`customer_id`) REFERENCES `billing_customers`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "billing_invoices_status_check" CHECK("__new_billing_invoices"."status" IN ('draft', 'issued', 'paid', 'cancelled'))
);
--> statement-breakpoint
INSERT INTO `__new_billing_invoices`("id", "user_id", "status", "number", "financial_year", "sequence", "customer_id", "invoice_date", "due_date", "place_of_supply", "supply", "seller_name", "seller_gstin", "seller_state_code", "seller_address", "buyer_name", "buyer_gstin", "buyer_state_code", "buyer_address", "buyer_email", "notes", "taxable_paise", "discount_paise", "cgst_paise", "sgst_paise", "igst_paise", "round_off_paise", "total_paise", "issued_at", "paid_at", "overdue_notified_at", "created_at") SELECT "id", "user_id", "status", "number", "financial_year", "sequence", "customer_id", "invoice_date", "due_date", "place_of_supply", "supply", "seller_name", "seller_gstin", "seller_state_code", "seller_address", "buyer_name", "buyer_gstin", "buyer_state_code", "buyer_address", "buyer_email", "notes", "taxable_paise", "discount_paise", "cgst_paise", "sgst_paise", "igst_paise", "round_off_paise", "total_paise", "issued_at", "paid_at", "overdue_notified_at", "created_at" FROM `billing_invoices`;--> statement-breakpoint
DROP TABLE `billing_invoices`;--> statement-breakpoint
ALTER TABLE `__new_billing_invoices` RENAME TO `billing_invoices`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `billing_invoices_number_idx` ON `billing_invoices` (`user_id`,`number`);--> statement-breakpoint
CREATE INDEX `billing_invoices_user_idx` ON `billing_invoices` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `billing_invoices_customer_idx` ON `billing_invoices` (`customer_id`);--> statement-breakpoint
CREATE INDEX `billing_invoices_overdue_idx` ON `billing_invoices` (`due_date`) WHERE status = 'issued' AND overdue_notified_at IS NULL;--> statement-breakpoint
CREATE TABLE `__new_billing_products` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`name` text NOT NULL,
	`hsn` text NOT NULL,
	`unit_price_paise` integer NOT NULL,
	`rate_bps` integer NOT NULL,
	`unit` text DEFAULT 'NOS' NOT NULL,
	`tax_class` text DEFAULT 'taxable' NOT NULL,
	`cess_bps` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "billing_products_rate_check" CHECK("__new_billing_products"."rate_bps" IN (0, 25, 300, 500, 1200, 1800, 2800, 4000)),
	CONSTRAINT "billing_products_price_check" CHECK("__new_billing_products"."unit_price_paise" >= 0),
	CONSTRAINT "billing_products_cess_check" CHECK("__new_billing_products"."cess_bps" BETWEEN 0 AND 30000)
);
--> statement-breakpoint
INSERT INTO `__new_billing_products`("id", "user_id", "name", "hsn", "unit_price_paise", "rate_bps", "created_at", "updated_at") SELECT "id", "user_id", "name", "hsn", "unit_price_paise", "rate_bps", "created_at", "updated_at" FROM `billing_products`;--> statement-breakpoint
DROP TABLE `billing_products`;--> statement-breakpoint
ALTER TABLE `__new_billing_products` RENAME TO `billing_products`;--> statement-breakpoint
CREATE INDEX `billing_products_user_idx` ON `billing_products` (`user_id`,`name`);--> statement-breakpoint
CREATE TABLE `__new_billing_invoice_counters` (
	`user_id` integer NOT NULL,
	`series` text DEFAULT 'INV' NOT NULL,
	`financial_year` text NOT NULL,
	`last_number` integer NOT NULL,
	PRIMARY KEY(`user_id`, `series`, `financial_year`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_billing_invoice_counters`("user_id", "financial_year", "last_number") SELECT "user_id", "financial_year", "last_number" FROM `billing_invoice_counters`;--> statement-breakpoint
DROP TABLE `billing_invoice_counters`;--> statement-breakpoint
ALTER TABLE `__new_billing_invoice_counters` RENAME TO `billing_invoice_counters`;--> statement-breakpoint
ALTER TABLE `billing_invoice_lines` ADD `unit` text DEFAULT 'NOS' NOT NULL;--> statement-breakpoint
ALTER TABLE `billing_invoice_lines` ADD `tax_class` text DEFAULT 'taxable' NOT NULL;--> statement-breakpoint
ALTER TABLE `billing_invoice_lines` ADD `cess_bps` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `billing_invoice_lines` ADD `cess_paise` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `billing_profiles` ADD `signatory` text DEFAULT '' NOT NULL;
CREATE TABLE `billing_customers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`name` text NOT NULL,
	`gstin` text,
	`state_code` text NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`email` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `billing_customers_user_idx` ON `billing_customers` (`user_id`,`name`);--> statement-breakpoint
CREATE TABLE `billing_invoice_counters` (
	`user_id` integer NOT NULL,
	`financial_year` text NOT NULL,
	`last_number` integer NOT NULL,
	PRIMARY KEY(`user_id`, `financial_year`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `billing_invoice_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`invoice_id` integer NOT NULL,
	`position` integer NOT NULL,
	`product_id` integer NOT NULL,
	`description` text NOT NULL,
	`hsn` text NOT NULL,
	`quantity_milli` integer NOT NULL,
	`unit_price_paise` integer NOT NULL,
	`discount_bps` integer NOT NULL,
	`rate_bps` integer NOT NULL,
	`discount_paise` integer NOT NULL,
	`taxable_paise` integer NOT NULL,
	`cgst_paise` integer NOT NULL,
	`sgst_paise` integer NOT NULL,
	`igst_paise` integer NOT NULL,
	`total_paise` integer NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `billing_invoices`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `billing_products`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `billing_invoice_lines_invoice_idx` ON `billing_invoice_lines` (`invoice_id`,`position`);--> statement-breakpoint
CREATE INDEX `billing_invoice_lines_product_idx` ON `billing_invoice_lines` (`product_id`);--> statement-breakpoint
CREATE TABLE `billing_invoices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`status` text NOT NULL,
	`number` text,
	`financial_year` text,
	`sequence` integer,
	`customer_id` integer NOT NULL,
	`invoice_date` text NOT NULL,
	`due_date` text NOT NULL,
	`place_of_supply` text NOT NULL,
	`supply` text NOT NULL,
	`seller_name` text NOT NULL,
	`seller_gstin` text NOT NULL,
	`seller_state_code` text NOT NULL,
	`seller_address` text NOT NULL,
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
	`round_off_paise` integer NOT NULL,
	`total_paise` integer NOT NULL,
	`issued_at` integer,
	`paid_at` integer,
	`overdue_notified_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`customer_id`) REFERENCES `billing_customers`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "billing_invoices_status_check" CHECK("billing_invoices"."status" IN ('draft', 'issued', 'paid'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_invoices_number_idx` ON `billing_invoices` (`user_id`,`number`);--> statement-breakpoint
CREATE INDEX `billing_invoices_user_idx` ON `billing_invoices` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `billing_invoices_customer_idx` ON `billing_invoices` (`customer_id`);--> statement-breakpoint
CREATE INDEX `billing_invoices_overdue_idx` ON `billing_invoices` (`due_date`) WHERE status = 'issued' AND overdue_notified_at IS NULL;--> statement-breakpoint
CREATE TABLE `billing_products` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`name` text NOT NULL,
	`hsn` text NOT NULL,
	`unit_price_paise` integer NOT NULL,
	`rate_bps` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "billing_products_rate_check" CHECK("billing_products"."rate_bps" IN (0, 25, 300, 500, 1200, 1800, 2800)),
	CONSTRAINT "billing_products_price_check" CHECK("billing_products"."unit_price_paise" >= 0)
);
--> statement-breakpoint
CREATE INDEX `billing_products_user_idx` ON `billing_products` (`user_id`,`name`);--> statement-breakpoint
CREATE TABLE `billing_profiles` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`legal_name` text NOT NULL,
	`gstin` text NOT NULL,
	`state_code` text NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);

CREATE TABLE `billing_note_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`note_id` integer NOT NULL,
	`invoice_line_id` integer NOT NULL,
	`position` integer NOT NULL,
	`description` text NOT NULL,
	`hsn` text NOT NULL,
	`unit` text NOT NULL,
	`quantity_milli` integer NOT NULL,
	`unit_price_paise` integer NOT NULL,
	`discount_bps` integer NOT NULL,
	`rate_bps` integer NOT NULL,
	`tax_class` text NOT NULL,
	`cess_bps` integer NOT NULL,
	`taxable_paise` integer NOT NULL,
	`cgst_paise` integer NOT NULL,
	`sgst_paise` integer NOT NULL,
	`igst_paise` integer NOT NULL,
	`cess_paise` integer NOT NULL,
	`total_paise` integer NOT NULL,
	FOREIGN KEY (`note_id`) REFERENCES `billing_notes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invoice_line_id`) REFERENCES `billing_invoice_lines`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `billing_note_lines_note_idx` ON `billing_note_lines` (`note_id`,`position`);--> statement-breakpoint
CREATE INDEX `billing_note_lines_invoice_line_idx` ON `billing_note_lines` (`invoice_line_id`);--> statement-breakpoint
CREATE TABLE `billing_notes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`invoice_id` integer NOT NULL,
	`kind` text NOT NULL,
	`number` text NOT NULL,
	`financial_year` text NOT NULL,
	`sequence` integer NOT NULL,
	`note_date` text NOT NULL,
	`reason` text NOT NULL,
	`taxable_paise` integer NOT NULL,
	`cgst_paise` integer NOT NULL,
	`sgst_paise` integer NOT NULL,
	`igst_paise` integer NOT NULL,
	`cess_paise` integer NOT NULL,
	`round_off_paise` integer NOT NULL,
	`total_paise` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invoice_id`) REFERENCES `billing_invoices`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "billing_notes_kind_check" CHECK("billing_notes"."kind" IN ('credit', 'debit'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_notes_number_idx` ON `billing_notes` (`user_id`,`number`);--> statement-breakpoint
CREATE INDEX `billing_notes_invoice_idx` ON `billing_notes` (`invoice_id`);--> statement-breakpoint
ALTER TABLE `billing_invoices` ADD `adjusted_paise` integer DEFAULT 0 NOT NULL;
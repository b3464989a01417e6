# Strings of the web pages (templates/web), English. Keys are shared with fr/pages.ftl;
# `warrantyd check-templates` fails when a key is missing in a language.

skip-to-content = Skip to content
nav-label = Main
nav-home = Home
nav-register = Register a unit
nav-registrations = Registrations
nav-statements = Statements
nav-scorecard = Scorecard
nav-team = Team
nav-adjust = Add an adjustment
nav-close-period = Close a period
nav-dealers = Dealers
nav-products = Products
nav-programs = Programs
nav-signals = Fraud signals
nav-people = People
area-dealer = Dealer portal
area-finance = Finance
area-admin = Administration
sign-out = Sign out
sign-in = Sign in
required-mark = (required)
error-prefix = Error:
error-summary-title = There is a problem
error-email = Enter an email address such as name@example.com
save = Save
cancel = Cancel
back = Back

landing-title = Warranty registrations and dealer incentives
landing-lead = The dealer and finance pages of { $manufacturer }.
landing-dealers = Dealers register the units they sell, follow their incentives and see their scorecard.
landing-finance = Finance reviews, approves and pays dealer statements.
landing-admins = Administrators manage dealers, products, programs and people.
landing-customers = Bought a product? The links in the emails you received take you to your own pages; you do not need to sign in.

sign-in-lead = Enter your work email address. We will email you a link that signs you in.
field-work-email = Work email address
sign-in-send = Email me a sign-in link
sign-in-no-account = No account yet? Ask your manager or the manufacturer's administrator to invite you.
sign-in-dead-link = This sign-in link has already been used or has expired (links work once, for { $minutes } minutes). Ask for a new one below.
sign-in-expired-form = This form expired or did not come from this site. Please try again.
sign-in-not-sent = We could not send the email just now. Please try again in a minute.
signed-out = You are signed out.
sign-in-check-email = Check your email
sign-in-sent = If { $email } has an account, we have sent it a sign-in link. The link works once, for { $minutes } minutes.
sign-in-sent-help = Open the email on this device and select "Sign in". Nothing arrived? Check your spam folder, or ask for a new link.
sign-in-again = Ask for a new link
sign-in-as = Sign in as { $name }
sign-in-continue = Continue and sign in
sign-in-not-you = Not you? Close this page: nothing happens until you continue.

field-name = Name
field-email = Email
field-role = Role
field-page-language = Language of the pages
account-title = Your account
account-sessions = Signed-in devices
account-sessions-help = Signed in on a shared or lost device? Sign out everywhere; you can sign in again with a new link.
account-sign-out-everywhere = Sign out everywhere

role-dealer_staff = Dealer staff
role-dealer_manager = Dealer manager
role-finance_clerk = Finance clerk
role-finance_approver = Finance approver
role-admin = Administrator

## Shared words of the signed-in pages

print = Print
search = Search
filter = Filter
show = Show
yes = Yes
never = Never
system = System
breadcrumb-label = You are here
error-field = { $field }: { $message }
language-en = English
language-fr = Français
pagination-label = Pages
pagination-previous = Previous page
pagination-next = Next page
pagination-page-of = Page { $page } of { $pages }
filter-any-status = Any status
filter-any-period = Any month

field-serial = Serial number
field-product = Product
field-customer = Customer
field-reference = Reference
field-purchase-date = Purchase date
field-delivered-on = Delivery date
field-installed-on = Installation date
field-warranty-starts = Warranty starts
field-warranty-ends = Warranty ends
field-status = Status
field-confirmation = Customer confirmation
field-phone = Phone
field-postal-code = Postal code
field-country = Country
field-period = Month
field-month = Month
field-total = Total
field-amount = Amount
field-kind = Kind
field-program = Program
field-reason = Reason
field-state = State
field-dealer = Dealer
field-currency = Currency
field-payment = Payment
field-payment-reference = Payment reference
field-hold-reason = On hold because
field-created = Created
field-approved = Approved
field-paid = Paid
field-registered = Registered
field-reminder = Reminder
field-due = Due
field-channel = Sent by
field-message-channels = Customers' messages go by
field-sms-sender-id = Text message sender
dealer-section-channels = Email and text messages
hint-message-channels = The dealer's choice wins over the product's. Text messages need the customer's mobile number.
hint-sms-sender-id = A mobile number (+33612345678) or 3 to 11 letters and digits, where the SMS provider allows them. Empty: the service's own number.
channels-product = As the product says
hint-product-channels = How messages about its units go, unless the selling dealer chose otherwise.
channels-auto = The customer's choice, else email when they gave one, else text message
channels-email = Email only
channels-sms = Text message only
channels-both = Email and text message
channel-email = Email
channel-sms = Text message
field-when = When
field-what = What happened
field-detail = Detail
field-who = Who
field-actions = Actions
field-last-sign-in = Last signed in
field-language = Language of their pages and emails

status-active = Active
status-voided = Voided
status-pending_review = Pending review
status-on_hold = On hold
status-approved = Approved
status-paid = Paid

confirmed-yes = Confirmed
confirmed-not-yet = Not yet
confirmed-by-customer = Confirmed by the customer
not-yet-confirmed = Not yet confirmed by the customer

reminder-registration_confirmation = Registration confirmation
reminder-service_due = Service due
reminder-warranty_expiring = Warranty ending soon
reminder-status-pending = Planned
reminder-status-queued = Waiting to be sent
reminder-status-sending = Being sent
reminder-status-sent = Sent
reminder-status-failed = Could not be sent
reminder-status-skipped = Skipped (already past when registered)
reminder-status-cancelled = Cancelled
reminder-status-bounced = Not delivered (email address does not work)

kind-registration = Registration incentive
kind-on_time_bonus = On-time bonus
kind-clawback = Clawback
kind-adjustment = Adjustment
kind-service_attribution = Service visit after a reminder

basis-purchase = from the purchase date
basis-delivery = from the delivery date
basis-installation = from the installation date

metric-registrations = Registrations
metric-on_time_rate = Registered on time
metric-contact_completeness = Complete contact details
metric-attributed_visits = Service visits after a reminder

audit-created = Statement created
audit-approve = Approved
audit-hold = Put on hold
audit-release = Back to review
audit-pay = Marked paid

## Error page

error-403-title = This page is not for you
error-403-text = Your role or your dealer does not give access to this page. If you need it, ask your manager or an administrator.
error-404-title = Page not found
error-404-text = The page or the record you asked for does not exist, or is not yours to see. Check the address, or start again from your home page.
error-409-title = This was changed in the meantime
error-409-text = Someone or something changed this while you were working on it, so nothing was saved. Open the page again to see where things stand.
error-422-title = We could not use what was sent
error-422-text = Part of what was sent could not be read. Go back, check the form and try again.
error-500-title = Something went wrong on our side
error-500-text = Nothing you did caused this. Please try again in a few minutes. If it keeps happening, tell the manufacturer's support team.
error-503-title = The service is busy or under maintenance
error-503-text = Please try again in a few minutes.
error-go-home = Go to your home page
error-code = Error code: { $code }

## Dealer home

dealer-home-title = Your dealership at a glance
home-registered = Registered in { $month }
home-registered-note = Units your team registered this month.
home-awaiting = Awaiting customer confirmation
home-awaiting-note = Registrations whose customer has not yet confirmed by the link in the confirmation email.
home-held = Held incentives
home-held-note = Held until each customer confirms by the link in the confirmation email; then they are added to your statements.
home-held-none = None
home-latest = Latest registrations
home-all-registrations = See all registrations
home-no-registrations = No registrations yet. Register your first unit with the button above.

## Counter

counter-title = Register a unit
counter-lead = Fill this in with the customer at the counter. Pressing Enter in a field moves to the next one that is still empty.
hint-serial = Scan the barcode or type the number.
hint-product = Type the product name or reference.
hint-warranty-start = Starts the warranty for this product.
field-external-ref = Invoice or order reference
counter-customer = Customer
hint-customer-contact = Enter an email address or a mobile number, or both. Reminders go by email, or by text message to a customer who gave only a mobile number.
field-customer-name = Customer's name
field-customer-email = Customer's email
field-customer-phone = Customer's phone
field-customer-contact = Customer's email or phone
hint-customer-phone = As the customer says it, e.g. 07700 900123; we add the country code.
hint-country = Two-letter code, e.g. FR or GB.
field-customer-locale = Language of the customer's emails
counter-consent = Consent
field-consent-service = Service and warranty reminders
field-consent-marketing = Offers and news
consent-service-label = The customer agrees to receive service and warranty reminders by email or text message from { $dealer }. They can unsubscribe at any time from every email, or by answering STOP to a text.
field-consent-safety-only = Safety messages only
consent-safety-only-label = Safety messages only: the customer registers this product for recall and safety notices, and nothing else. Leave the two boxes above unticked.
field-preferred-channel = Customer's preferred channel
hint-preferred-channel = Where they gave both an email and a mobile number.
preferred-channel-none = No preference
err-conflicts_with_safety_only = A registration for safety messages only allows nothing else: untick this.
err-missing_contact = The customer's preferred channel needs that contact: give it, or choose the other.
err-invalid_channel = Choose email or text message.
consent-marketing-label = Optional: the customer agrees to receive offers and news by email from { $dealer }. They can unsubscribe at any time from every email.
consent-ask = Ask the customer, and tick a box only if they agree themselves.
privacy-notice = Privacy notice (opens in a new tab)
counter-submit = Register
counter-done-title = { $serial } is registered
counter-done-warranty = The warranty runs until { $date }.
counter-done-reminders =
    { $count ->
        [0] No reminders are planned.
        [one] One reminder is planned.
       *[other] { $count } reminders are planned.
    }
counter-done-incentive = Incentive earned: { $amount }.
counter-done-incentive-held = Incentive: { $amount }, held until the customer confirms the registration.
counter-done-incentive-held-email = Incentive: { $amount }, held until the customer confirms the registration by the link in the email we sent them.
counter-receipt-link = Print the customer's receipt
counter-see-registration = See the registration

## Receipt

receipt-title = Warranty registration receipt
receipt-back = Back to the registration
receipt-confirm-email = You will receive an email at { $email } asking you to confirm this registration.
receipt-voided = This registration has been voided.
receipt-keep = Keep this receipt with your proof of purchase.

## Registrations

registrations-title = Registrations
registrations-filters = Find registrations
registrations-search-label = Serial number, customer or reference
registrations-confirmed-any = Confirmed or not
registrations-confirmed-yes = Confirmed by the customer
registrations-confirmed-no = Not yet confirmed
registrations-showing = Showing { $first }–{ $last } of { $total }
registrations-caption = Registrations, newest first
registrations-empty = No registrations match. Change the search or the filters.

## One registration

registration-unit = The unit
registered-when-who = { $when }, by { $who }
heading-customer = Customer
field-confirmed-by-customer = Confirmed by the customer
consent-agreed = Agreed
consent-not-agreed = Not agreed
consent-not-recorded = Not recorded
registration-reminders = Reminders
registration-no-reminders = No reminders are planned for this unit.
registration-incentive = Incentive
registration-no-incentive = No incentive for this registration.
line-held = Held until the customer confirms
line-earned = Earned
line-capped = Capped (program limit reached)
registration-voided-title = This registration is voided
registration-voided-when = Voided on { $when }.
registration-voided-when-who = Voided on { $when } by { $who }.
registration-void-reason = Reason: { $reason }
registration-void-title = Void this registration
registration-void-help = Void a registration only if the unit was returned or registered by mistake.
field-void-reason = Reason
hint-void-reason = For example: returned and refunded on 3 May.
void-confirm = I understand the customer's reminders stop and the incentive is reversed.
void-submit = Void the registration

## Dealer statements

statements-title = Statements
statements-lead = Each month's incentives, adjustments and clawbacks, once finance has closed the month.
statements-caption = Your statements, newest first
statements-held-title = Held amounts
statements-held = Not on any statement yet: { $amounts }. These amounts are held until your customers confirm their registrations by the link in the confirmation email.
statements-empty = No statements yet. The first one is created when finance closes a month in which you earned incentives.
payment-paid-on = Paid on { $when }
payment-reference = Reference: { $reference }
statement-title = Statement for { $period }
statement-lines = Lines
statement-empty = This statement has no lines.
subtotal-of = Subtotal: { $kind }
lines-count =
    { $count ->
        [one] one line
       *[other] { $count } lines
    }

## Scorecard

scorecard-title = Scorecard for { $period }
scorecard-key-figures = Key figures
scorecard-targets = Targets
scorecard-no-targets = No targets were agreed for this month.
target-line = { $metric }: { $actual } against a target of { $target } ({ $attainment })
target-met = Met
target-not-met = Not met
scorecard-trend = The last 12 months
chart-numbers = Show the numbers
chart-actual = Actual
chart-target = Target
scorecard-all = All figures of the month
score-figure = Figure
score-value = Value
score-meaning = What it means
score-registrations-note =
    { $voided ->
        [0] None voided.
        [one] 1 more voided.
       *[other] { $voided } more voided.
    }
score-registrations = Registrations
score-registrations-help = Units registered in the month and still active.
score-voided = Voided
score-voided-help = Registrations of the month that were voided, for example after a return.
score-on-time = Registered on time
score-on-time-help = Share of the month's registrations made within the product's registration window after purchase.
score-median-days = Days to register (median)
score-median-days-help = Half of the units were registered within this many days of their purchase.
score-completeness = Complete contact details
score-completeness-help = Share of registrations with an email address and the customer's consent to service reminders.
score-rejected = Refused submissions
score-rejected-help = Registrations refused because a field was wrong or missing.
score-duplicates = Duplicate submissions
score-duplicates-help = Serial numbers submitted again after they were already registered.
score-sent = Reminders sent
score-sent-help = Emails sent to your customers: confirmations, service and warranty reminders.
score-bounced = Reminders not delivered
score-bounced-help = Reminders that could not be delivered because the email address is wrong or no longer works.
score-clicked = Reminders clicked
score-clicked-help = Reminders in which the customer followed a link.
score-visits = Service visits after a reminder
score-visits-help = Service visits at your dealership that followed a reminder.
score-attribution = Visits per reminder
score-attribution-help = Service visits after a reminder, per service or warranty reminder sent.
score-accrued = Incentives earned
score-accrued-help = Incentives earned by the month's registrations.
score-held = Held until customers confirm
score-held-help = Part of the incentives that waits until the customers confirm by the link in the confirmation email.
score-approved = Approved
score-approved-help = Incentives on a statement that finance has approved.
score-paid = Paid
score-paid-help = Incentives on a statement that has been paid.
score-manufacturer-on-time = Reminders sent on time by the manufacturer
score-manufacturer-on-time-help = Share of reminders the manufacturer sent within a day of their due date: our side of the deal.

## Team and people

team-title = Your team
team-people = People
invite-title = Invite a person
invite-help = They receive an email with a link to sign in; no password is needed.
invite-submit = Send invitation
person-you = (you)
person-active = Active
person-disabled = Disabled
person-disable = Disable
person-enable = Enable again
person-send-link = Send a sign-in link
admin-people-title = People
admin-people-list = Everyone with an account
admin-dealer-none = — for dealer roles —
hint-dealer-roles = Only for dealer staff and dealer managers.

## Finance

fin-statements-title = Dealer statements
fin-filters = Find statements
fin-filter-dealer = Dealer name or code
fin-statements-caption = Statements
fin-statements-count =
    { $count ->
        [one] One statement matches.
       *[other] { $count } statements match.
    }
fin-statements-empty = No statements match these filters.
fin-totals =
    { $count ->
        [one] The one matching statement in { $currency }
       *[other] All { $count } matching statements in { $currency }
    }
fin-close-heading = Closing a month
fin-close-intro = Statements are created when a month is closed.
fin-close-link = Close a period…
fin-statements-of = Statements of { $period }
fin-actions = What to do next
fin-approve = Approve the statement
fin-own-adjustment = You entered an adjustment on this statement, so another approver must approve it.
fin-approver-needed = A finance approver must approve this statement.
fin-approved-by-me = You approved this statement; another person must mark it paid.
fin-mark-paid = Mark paid
fin-hold-reason-label = Reason for the hold
fin-hold = Put on hold
fin-hold-hint = The dealer sees the reason for a hold on their statement.
fin-release = Back to review
fin-add-adjustment = Add an adjustment for this dealer
fin-download-csv = Download the lines (CSV)
fin-held = Held for this dealer and not on this statement: { $amounts }. These amounts go on a later statement once the customers confirm.
fin-history = History

adj-title = Add an adjustment
adj-lead = An adjustment adds or deducts an amount on a dealer's statement, for example a correction or a goodwill payment.
adj-choose-dealer = Choose a dealer
hint-currency = Three-letter code, e.g. EUR.
hint-amount = Negative to deduct, e.g. -12.50
adj-period = Month
hint-adj-period = The statement of this month carries the adjustment; the month must not be closed yet.
field-adj-reason = Reason
hint-adj-reason = The dealer sees this on their statement.
adj-note-statement = The adjustment appears on the dealer's statement when its month is closed.
adj-note-approver = An approver other than the person who entered it must approve that statement.
adj-submit = Add the adjustment

close-title = Close a period
close-choose = Month to close
close-already = { $period } is already closed.
close-see-statements = See the statements of { $period }
close-under-way = { $period } has not ended yet. It can be closed from the first day of the next month.
close-confirm-title = Close { $period }?
close-explain-statements = Statements are created for every dealer with open amounts up to the end of { $period }.
close-explain-locked = After the close, no entries can be added to { $period }.
close-explain-final = This cannot be undone.
close-what = What goes on the statements of { $period }
close-entries = Entries
close-nothing = No dealer has open amounts: the statements will be empty.
close-confirm-label = I have checked the list and want to close { $period }.
close-submit = Close { $period }

## Administration

admin-home-title = Administration
admin-manage-dealers = Manage dealers
admin-manage-products = Manage products
admin-manage-people = Manage people
admin-what = What administrators do
admin-do-dealers = Add dealers and keep their details up to date.
admin-do-products = Keep the product catalogue: warranty length, what starts the warranty, service plans.
admin-do-programs = Set the incentive programs and the dealers' targets.
admin-do-people = Invite people, disable the accounts of people who left, send new sign-in links.
admin-do-signals = Review the fraud signals.

# Field errors of the counter form, by the error's code.
err-required = Enter this; it is required.
err-invalid_email = Enter an email address such as name@example.com.
err-invalid_phone = Enter a phone number the customer can be reached on, e.g. 07700 900123 or +33 6 12 34 56 78.
err-invalid_serial = Enter the serial number as printed on the unit: letters, digits, dashes.
err-invalid_date = Enter a date.
err-in_future = This date is in the future.
err-too_old = This date is too long ago for a registration.
err-before_purchase = This date is before the purchase date.
err-contact_required = Enter the customer's email or phone, so they get their reminders.
err-unknown_sku = We do not know this product. Choose one from the list.
err-invalid_sku = Choose a product from the list.
err-too_long = This is too long.
err-invalid_characters = This contains characters that cannot be used.
err-invalid_country = Enter a 2-letter country code such as GB or FR.
err-invalid_locale = Choose a language from the list.
err-invalid_postal_code = Enter a postal code such as SW1A 1AA or 75001.
err-out_of_range = This value is out of range.
err-invalid_time_zone = Enter a time zone such as Europe/Paris.
err-invalid_url = Enter a web address starting with https://.
notice-adjustment-added = The adjustment is saved. It goes on the dealer’s statement when its month is closed.

## Administration: dealers, products, programs, fraud signals

no = No
field-code = Code
field-locale = Language
field-time-zone = Time zone
field-send-window = Send window
field-category = Category
field-warranty = Warranty
field-service-plan = Service plan
field-version = Version
field-saved-at = Saved
send-window-default = Default
dealer-active = Active
dealer-inactive = Inactive

admin-dealers-caption = All dealers
admin-dealers-empty = No dealers yet. Add the first one below.
admin-dealer-add = Add a dealer
admin-dealer-new-code = New dealer's code
hint-dealer-code = 1 to 32 letters, digits, - or _, e.g. D042.
admin-dealer-new-title = New dealer { $code }
admin-dealer-new-lead = No dealer has the code { $code } yet. Fill in the form and save to add it.
admin-dealer-saved = The dealer's details are saved.
dealer-section-profile = Profile
dealer-section-defaults = Customers' defaults
dealer-section-branding = Branding in emails
dealer-section-send-window = Send window
hint-dealer-email = Customers see it in the emails sent on the dealer's behalf.
hint-dealer-phone = International format (E.164), e.g. +33612345678. Customers see it in the emails.
field-customer-language = Customers' language
hint-customer-language = Emails go out in the customer's own language when we know it, otherwise in this one.
hint-time-zone = IANA name, e.g. Europe/Paris.
field-address = Address
hint-dealer-address = Shown in the footer of every email to this dealer's customers.
field-booking-url = Service booking page
hint-booking-url = A web address starting with https://. The "Book my service" button of service reminders opens it, with the serial number and the product added; without it, the email gives the dealer's phone and email instead.
field-send-window-cron = Send window (cron expression)
hint-send-window = Six fields (seconds, minutes, hours, day of month, month, day of week), in the customer's time zone. Leave empty to use the default: { $default }. Changing it re-plans the reminders not sent yet.
field-dealer-active = Active dealer
hint-dealer-active = The people and API keys of an inactive dealer are refused.
admin-dealer-people = People at this dealer
admin-dealer-no-people = Nobody at this dealer has an account yet.
admin-dealer-invite = Invite someone on the People page

admin-products-caption = All products
admin-products-empty = No products yet. Add the first one below.
admin-product-add = Add a product
admin-product-new-code = New product's reference
hint-product-code = 1 to 64 letters, digits, -, _ or ., e.g. MWR-420.
warranty-months =
    { $months ->
        [one] { $months } month
       *[other] { $months } months
    }
admin-product-new-title = New product { $sku }
admin-product-new-lead = No product has the reference { $sku } yet. Fill in the form and save to add it.
admin-product-saved = The product is saved.
field-warranty-months = Warranty length in months
hint-warranty-months = From 1 to 600.
field-warranty-basis = What starts the warranty
basis-purchase-help = The purchase date, which the counter always asks for.
basis-delivery-help = The delivery date; the counter then asks for it.
basis-installation-help = The installation date; the counter then asks for it.
hint-service-plan = ISO 8601 periods after the warranty starts, separated by commas, e.g. P12M, P24M. Each one is a service reminder.
field-registration-window = Registration window in days
hint-registration-window = Days after purchase within which a registration counts as on time.

admin-programs-caption = The current version of each program
admin-programs-empty = No programs yet. Add the first one below.
admin-program-add = Add a program
admin-program-new-code = New program's identifier
hint-program-code = 1 to 32 letters, digits, - or _, e.g. REG-2027.
field-program-id = Identifier
field-program-valid = Valid for purchases
program-valid-from-to = { $start } to { $end }
program-valid-open = From { $start }, open-ended
admin-program-title = Program { $id }
admin-program-versions = Versions side by side
admin-program-versions-help = Each column is a saved version, newest first ({ $count } shown). A field marked "Changed" differs between the versions shown.
admin-program-one-version = Only one version has been saved so far.
admin-program-versions-caption = The fields of { $id } in each version
admin-program-field = Field
admin-program-changed = Changed
program-version = Version { $version }
admin-program-save-heading = Save a new version
admin-program-first-heading = Save the first version
admin-program-first = The program { $id } has no version yet. Saving the definition below creates its first version.
field-definition = Definition (JSON)
hint-definition-amounts = Amounts are in minor units: 1250 means 12.50.
hint-definition-versions = Saving creates a new version (unless nothing changed); registrations already made keep the version they earned their incentive under.
admin-program-save = Save as a new version

signals-title = Fraud signals: { $period }
signals-lead = A signal is a lead to check, not proof that anyone did anything wrong.
signals-filters = Choose the month
signals-count =
    { $count ->
        [one] One signal
       *[other] { $count } signals
    }, { $open ->
        [0] all resolved.
        [one] one still to check.
       *[other] { $open } still to check.
    }
signals-empty = No signals for this period.
signal-open = To check
signal-resolved = Resolved
signal-found = What was found
signal-resolved-on = On { $when }
signal-resolved-on-by = On { $when }, by { $who }
signal-resolution-label = What you found
hint-signal-resolution = Saved with your name and shown to the other administrators; the signal then counts as resolved.
signal-resolve = Mark resolved
signal-other = Other signal: { $kind }
signal-other-help = This page does not describe this kind of signal yet; look at the evidence.
signal-serial_held_by_other_dealer = Serial number held by another dealer
signal-serial_held_by_other_dealer-help = The dealer tried to register a serial number that another dealer has already registered.
signal-burst_before_close = Burst before the month closes
signal-burst_before_close-help = Many more registrations than usual in the last two days of the month, just before the incentives are counted.
signal-contact_reused = Same customer contact on many registrations
signal-contact_reused-help = One email address or phone number is behind many registrations (all dealers, all time) and was used again this month.
signal-late_purchase_date = Registered long after the purchase
signal-late_purchase_date-help = The purchase date is more than 180 days before the registration.
signal-servicer_pattern = Unusual service visits
signal-servicer_pattern-help = An authorized servicer's visits on units other dealers sold look like a way to earn the seller credits.
signal-visit_on_other_dealers_unit = Visit on another dealer's unit
signal-visit_on_other_dealers_unit-help = A service visit was reported on a unit that another dealer sold.
signal-servicer_volume = Many visits by one servicer
signal-servicer_volume-help = A dealer reported many service visits in a short time on units that other dealers sold.
signal-many_visits_on_others_units = Many visits on other dealers' units
signal-many_visits_on_others_units-help = Within 30 days, the dealer reported as many service visits on units other dealers sold as the threshold, or a multiple of it.
signal-visit_right_after_reminder = Visit right after a reminder
signal-visit_right_after_reminder-help = A first visit on a unit another dealer sold was reported within 48 hours of the customer's service reminder.
signal-visit_on_unauthorized_unit = Visit on a unit the dealer may not service
signal-visit_on_unauthorized_unit-help = The dealer tried to report a service visit on a unit it neither sold nor is authorized to service; the visit was refused.
evidence-serial_number = Serial number
evidence-held_by = Registered by (dealer code)
evidence-at = When
evidence-last_two_days = Registrations in the last two days
evidence-daily_average_before = Daily average before
evidence-registration_id = Registration
evidence-days_after_purchase = Days after the purchase
evidence-registrations = Registrations with this contact
evidence-this_period = Of which this month
evidence-servicing_dealer = Servicing dealer
evidence-selling_dealer = Selling dealer
evidence-visits = Visits
evidence-window_days = Over (days)
evidence-sold_by = Sold by (dealer code)
evidence-service_date = Service date
evidence-reminder_sent_at = Reminder sent
evidence-attributed = Credited to the reminder
evidence-visits_on_others_units = Visits on other dealers' units
evidence-days = Over (days)
evidence-threshold = Threshold
fin-download-period-csv = Download this month’s statements as CSV (one row per line)
changes-title = Changes
changes-when = When
changes-what = What
changes-who = Who
changes-created = Created
changes-saved = Saved
changes-someone = (a removed key)
field-gtin = GTIN (barcode number)
hint-gtin = Optional. The product's 8, 12, 13 or 14-digit GTIN; its units then get GS1 Digital Link addresses for their QR codes.
nav-qr = QR code
nav-units = Unit QR codes
owner-unusable-title = This code cannot be used
owner-unusable-text = The QR code or address you opened is not valid. Ask the shop where you bought your product for a new one.
owner-register-title = Register your product
owner-register-lead = Register the product you bought from { $dealer }. You get its warranty details and, if you wish, service reminders from { $dealer }.
owner-hint-serial = Printed on the product's label or on your receipt.
owner-choose-product = Choose your product
owner-field-name = Your name
owner-field-email = Your email address
owner-field-phone = Your phone number
owner-hint-contact = Give your email address or your phone number, or both.
owner-consent-legend = What you agree to (both optional)
owner-consent-reminders = I would like service and warranty reminders from { $dealer }. I can stop them at any time from every email, or by answering STOP to a text message.
owner-consent-marketing = I would like offers and news by email from { $dealer }. I can unsubscribe at any time.
owner-privacy = How your data is used (privacy notice)
owner-register-button = Register my product
owner-already-registered = This product is already registered. If it is yours, ask the shop where you bought it.
owner-registered-title = Your product is registered
owner-registered-text = { $serial } is registered with { $dealer }. Its warranty runs until { $date }.
owner-registered-confirm = We have sent you an email: open it and confirm your registration with one click.
unit-registered = This product is registered.
unit-registered-owner = Its owner can reach their registration through the links in the emails they received.
unit-unregistered = This product is not registered yet.
unit-unregistered-how = Register it here, or ask the shop where you bought it for its registration QR code: either takes a minute.
qr-title = Your registration QR code
qr-lead = Customers scan this code with their phone to register what they bought from you, by themselves. Registrations made through it are credited to your dealership.
qr-any-product = Any product (the customer chooses)
qr-for-this-sale = Make a code for this sale
qr-caption = Scan to register your product
qr-caption-sale = Scan to register { $serial }
qr-download-png = Download as PNG
qr-download-svg = Download as SVG
qr-address = The code opens this address:
qr-open = the self-registration form
units-title = Unit QR codes
units-lead = Each code opens the unit's own address (GS1 Digital Link when the product has a GTIN), which shows the product and whether it is registered, never its owner.
units-serials = Serial numbers
units-serials-hint = One per line, or paste a CSV whose first column holds them (at most 500).
units-make-sheet = Make the printable sheet
owner-page-title = Your products
owner-units = What you registered
owner-bought-from = Bought from
owner-next-service = Next service
owner-no-service-planned = None planned
owner-unit-voided = Registration cancelled
owner-unit-confirmed = Registered and confirmed
owner-unit-unconfirmed = Registered; please confirm it by the link in our first email
owner-not-mine = This is not my product
owner-not-mine-help = If you never bought this product, tell us: you will get no more emails about it, and we will look into the registration.
owner-not-mine-button = Report: this is not mine
owner-not-mine-done = Thank you. You will get no more emails about it, and we will look into the registration.
owner-choices = Your choices
owner-channel-legend = How { $dealer } sends you its reminders
owner-channel-email = By email, to { $email }
owner-channel-sms = By text message, to { $phone }
owner-texts-stopped = You answered STOP to one of our text messages, so we send you none. Answer START to any of them to receive them again.
owner-save-choices = Save my choices
owner-choices-saved = Your choices are saved.
owner-page-private = This page is reached through the links in your emails; anyone with one of those links can open it, so do not forward them.
correction-title = Correct this registration
correction-help = Fix a typing mistake in the customer's details, a date or the reference, within { $days } days of registering. Reminders not sent yet follow the corrected dates; the incentive is recomputed if it changes.
correction-open = Show the correction form
correction-save = Save the correction
correction-saved = The registration is corrected.
correction-stale = Someone changed this registration while you were editing it. Here it is as it is now: make your correction again.
correction-too-late = This registration is past its correction window; ask the manufacturer to correct it.
err-contact-taken = Another customer of yours already has this email address or phone number.
owner-consent-manufacturer = I would like offers and news by email from { $manufacturer }, the maker. I can unsubscribe at any time.

## Ownership transfer
field-transfer-policy = When the unit changes hands
transfer-policy-transferable = The warranty carries over to every new owner
transfer-policy-transferable-help = Owners can transfer the unit as often as it changes hands.
transfer-policy-once = The warranty carries over once
transfer-policy-once-help = The first owner can transfer it; later owners cannot.
transfer-policy-not_transferable = The warranty stays with the first owner
transfer-policy-not_transferable-help = The unit cannot be transferred to a new owner.
owner-transfer = Transfer to a new owner
owner-transfer-help = Sold or gave this product away? Enter the new owner's email address. We send them a link to accept; until they do, nothing changes. Once they accept, you get no more reminders about it.
owner-transfer-email = New owner's email address
owner-transfer-button = Send the transfer link
owner-transfer-sent = We sent the new owner a link to accept the transfer. Until they accept, nothing changes.
owner-transfer-pending = A transfer is waiting for the new owner to accept it, until { $date }.
transfer-same-owner = This is your own email address. Enter the new owner's.
transfer-not-transferable = This product's warranty cannot be transferred to a new owner.
owner-handed-on = Products you handed on
owner-handed-on-item = { $product } (serial { $serial }), transferred on { $date }
transfer-accept-title = Accept your product
transfer-accept-lead = The { $product } with serial { $serial } is being transferred to you. Enter your details and choose which messages you want.
transfer-accept-button = Accept the transfer
transfer-accept-ignore = If you do not know this product, close this page: nothing changes without you.
transfer-done-title = The product is yours
transfer-done-text = The { $product } (serial { $serial }) is now registered to you with { $dealer }. The warranty on record runs until { $date }. We sent you a confirmation email.
transfer-done-owner-page = See your products and choices
transfer-ended-title = This link no longer works
transfer-ended-text = This transfer link has been used, was withdrawn or has expired. Ask the owner to send a new one.
transfer-ended-accepted = This transfer has been accepted. Use the link in your confirmation email to see your product.
counter-transfer-title = Changed hands?
counter-transfer-text = If this customer bought the unit from its previous owner, send them a link to take it over: they accept with their own details, and you are recorded as the dealer serving them. Nothing about the previous owner is shown.
counter-transfer-button = Send the transfer link
counter-transfer-sent = We sent the new owner a link to accept the transfer. Until they accept, nothing changes.

## Proof of purchase
owner-proof = Proof of purchase
owner-proof-none = None added
owner-proof-added = Added on { $date } (download)
owner-proof-add = Add a proof of purchase
owner-proof-file = Receipt or invoice
owner-proof-hint = A PDF, or a photo (JPEG, PNG or HEIC), of at most 10 MB. Only you, the dealer who sold it and the manufacturer can see it.
owner-proof-button = Add the file
owner-proof-saved = Your proof of purchase is saved.
proof-too-large = This file is too large. Send a PDF or photo of at most 10 MB.
proof-missing = Choose a file to add.
proof-refused = This file cannot be accepted. Send a PDF, or a photo in JPEG, PNG or HEIC, of the receipt alone.

## An owner's own registration through the unit's address
unit-register-button = Register this product
unit-register-title = Register your product
unit-register-lead = We record your registration now. The dealer who sold it to you then confirms the sale; from then on, they can send you service and warranty reminders, and you confirm by the link in their first email.
unit-consent-reminders = I would like service and warranty reminders by email from the dealer who sold me this product, once they confirm the sale. I can unsubscribe at any time.
unit-consent-marketing = I would like offers and news by email from that dealer. I can unsubscribe at any time.
unit-recorded = Thank you: your registration is recorded. The dealer who sold you the product confirms the sale next, and their first email asks you to confirm.
unit-waiting = This product's registration is recorded and waiting for its dealer to confirm the sale.
counter-done-incentive-held-proof = Incentive: { $amount }, held until a proof of purchase is attached (through the API, or by the customer from their page).
line-held-proof = Held until a proof of purchase is attached

## The dealer's side: proofs and claims
dealer-proof-hint = A PDF, or a photo (JPEG, PNG or HEIC), of at most 10 MB. The customer and the manufacturer can see it too.
claim-title = Claim a sale
claim-lead = Did your customer register the product themselves, from its QR code or web address? Claim the sale with your reference within { $days } days of their registration: it becomes your registration, and they confirm it by the link in your first email.
claim-reference = Your sale's reference
claim-reference-hint = The invoice or order number, kept with the registration.
claim-button = Claim the sale
claim-not-found = No registration by an owner is waiting for this serial number.
claim-window-closed = Sales can be claimed within { $days } days of the owner's registration; this one is older.
claim-already-yours = You have already claimed this sale.
claim-by-another = Another dealer has claimed this sale. If you sold it, contact the manufacturer.
claim-registered = This serial number is already registered.
claim-link = Your customer registered it themselves? Claim the sale
registration-claimed = The sale is yours: the customer gets your confirmation email.
owner-transfer-stop = Stop this transfer
owner-transfer-stopped = The transfer is stopped: its link no longer works, and the product stays yours.
owner-proof-optional = Receipt or invoice (optional)
owner-not-handed-on = I did not hand this on
owner-not-handed-on-help = If you still own this product and did not agree to this transfer, tell us: the manufacturer looks into it with the dealers concerned.
owner-not-handed-on-button = Report: I did not hand this on
owner-not-handed-on-done = Thank you. The manufacturer will look into this transfer.

## The owner's subject-access export
mydata-title = What we hold about you
mydata-lead = Everything this service keeps about you, at every dealer that registered a product of yours: your details, your products, the messages we sent you and the choices you made.
mydata-download = Download it all as a file (JSON)
mydata-details = Your details, as each dealer keeps them
mydata-none = None
mydata-language = Language
mydata-preferred-channel = Preferred channel
mydata-since = Since
mydata-product = Product
mydata-messages = Messages we sent you
mydata-sent-on = Sent on
mydata-choices = Your choices over time
mydata-on = Date
mydata-given-to = Given to
mydata-purpose = For
mydata-answer = Answer
mydata-party-dealer = The dealer
mydata-party-manufacturer = The manufacturer
mydata-purpose-service_reminders = Service and warranty reminders
mydata-purpose-marketing = Offers
mydata-granted = Yes
mydata-withdrawn = No
mydata-other = Everything else
mydata-clicks = Links you opened in our messages
mydata-visits = Service visits
mydata-corrections = Corrections to your registrations
mydata-transfers = Ownership transfers
mydata-transfer-from = Handed on
mydata-transfer-to = Received
mydata-own-registrations = Products you registered yourself
mydata-texts-received = Text messages you sent us
mydata-suppressed = Contacts we no longer write to
owner-my-data = See everything we hold about you

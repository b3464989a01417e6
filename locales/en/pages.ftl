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

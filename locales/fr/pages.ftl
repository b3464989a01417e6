# Textes des pages web (templates/web), en français. Mêmes clés que en/pages.ftl.

skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-home = Accueil
nav-register = Enregistrer un produit
nav-registrations = Enregistrements
nav-statements = Relevés
nav-scorecard = Tableau de bord
nav-team = Équipe
nav-adjust = Ajouter un ajustement
nav-close-period = Clôturer une période
nav-dealers = Revendeurs
nav-products = Produits
nav-programs = Programmes
nav-signals = Signaux de fraude
nav-people = Utilisateurs
area-dealer = Portail revendeur
area-finance = Finance
area-admin = Administration
sign-out = Se déconnecter
sign-in = Se connecter
required-mark = (obligatoire)
error-prefix = Erreur :
error-summary-title = Il y a un problème
error-email = Saisissez une adresse e-mail, par exemple nom@exemple.fr
save = Enregistrer
cancel = Annuler
back = Retour

landing-title = Enregistrements de garantie et primes revendeurs
landing-lead = Les pages revendeurs et finance de { $manufacturer }.
landing-dealers = Les revendeurs enregistrent les produits qu'ils vendent, suivent leurs primes et leur tableau de bord.
landing-finance = La finance vérifie, approuve et paie les relevés des revendeurs.
landing-admins = Les administrateurs gèrent les revendeurs, les produits, les programmes et les utilisateurs.
landing-customers = Vous avez acheté un produit ? Les liens des e-mails reçus mènent à vos propres pages, sans connexion.

sign-in-lead = Saisissez votre adresse e-mail professionnelle. Nous vous enverrons un lien de connexion.
field-work-email = Adresse e-mail professionnelle
sign-in-send = M'envoyer un lien de connexion
sign-in-no-account = Pas encore de compte ? Demandez à votre responsable ou à l'administrateur du fabricant de vous inviter.
sign-in-dead-link = Ce lien de connexion a déjà servi ou a expiré (un lien fonctionne une fois, pendant { $minutes } minutes). Demandez-en un nouveau ci-dessous.
sign-in-expired-form = Ce formulaire a expiré ou ne vient pas de ce site. Veuillez réessayer.
sign-in-not-sent = L'e-mail n'a pas pu être envoyé pour le moment. Réessayez dans une minute.
signed-out = Vous êtes déconnecté.
sign-in-check-email = Consultez vos e-mails
sign-in-sent = Si { $email } a un compte, nous lui avons envoyé un lien de connexion. Le lien fonctionne une fois, pendant { $minutes } minutes.
sign-in-sent-help = Ouvrez l'e-mail sur cet appareil et choisissez « Me connecter ». Rien reçu ? Vérifiez vos indésirables ou demandez un nouveau lien.
sign-in-again = Demander un nouveau lien
sign-in-as = Se connecter en tant que { $name }
sign-in-continue = Continuer et me connecter
sign-in-not-you = Ce n'est pas vous ? Fermez cette page : rien ne se passe tant que vous ne continuez pas.

field-name = Nom
field-email = E-mail
field-role = Rôle
field-page-language = Langue des pages
account-title = Votre compte
account-sessions = Appareils connectés
account-sessions-help = Connecté sur un appareil partagé ou perdu ? Déconnectez-vous partout ; un nouveau lien vous reconnectera.
account-sign-out-everywhere = Se déconnecter partout

role-dealer_staff = Employé revendeur
role-dealer_manager = Responsable revendeur
role-finance_clerk = Comptable
role-finance_approver = Approbateur finance
role-admin = Administrateur

## Mots communs des pages connectées

print = Imprimer
search = Rechercher
filter = Filtrer
show = Afficher
yes = Oui
never = Jamais
system = Système
breadcrumb-label = Vous êtes ici
error-field = { $field } : { $message }
language-en = English
language-fr = Français
pagination-label = Pages
pagination-previous = Page précédente
pagination-next = Page suivante
pagination-page-of = Page { $page } sur { $pages }
filter-any-status = Tous les statuts
filter-any-period = Tous les mois

field-serial = Numéro de série
field-product = Produit
field-customer = Client
field-reference = Référence
field-purchase-date = Date d'achat
field-delivered-on = Date de livraison
field-installed-on = Date d'installation
field-warranty-starts = Début de la garantie
field-warranty-ends = Fin de la garantie
field-status = Statut
field-confirmation = Confirmation du client
field-phone = Téléphone
field-postal-code = Code postal
field-country = Pays
field-period = Mois
field-month = Mois
field-total = Total
field-amount = Montant
field-kind = Type
field-program = Programme
field-reason = Motif
field-state = État
field-dealer = Revendeur
field-currency = Devise
field-payment = Paiement
field-payment-reference = Référence du paiement
field-hold-reason = Motif de la suspension
field-created = Créé le
field-approved = Approuvé le
field-paid = Payé le
field-registered = Enregistré le
field-reminder = Rappel
field-due = Prévu le
field-channel = Envoyé par
field-message-channels = Les messages aux clients partent par
field-sms-sender-id = Expéditeur des SMS
dealer-section-channels = E-mails et SMS
hint-message-channels = Le choix du distributeur l'emporte sur celui du produit. Les SMS demandent le numéro de mobile du client.
hint-sms-sender-id = Un numéro de mobile (+33612345678) ou 3 à 11 lettres et chiffres, là où le fournisseur de SMS les accepte. Vide : le numéro du service.
channels-product = Comme le produit l'indique
hint-product-channels = Comment partent les messages sur ses appareils, sauf si le distributeur vendeur a choisi autrement.
channels-auto = Le choix du client, sinon l'e-mail s'il en a donné un, sinon le SMS
channels-email = E-mail seulement
channels-sms = SMS seulement
channels-both = E-mail et SMS
channel-email = E-mail
channel-sms = SMS
field-when = Date
field-what = Événement
field-detail = Détail
field-who = Par
field-actions = Actions
field-last-sign-in = Dernière connexion
field-language = Langue de ses pages et e-mails

status-active = Actif
status-voided = Annulé
status-pending_review = En attente de vérification
status-on_hold = Suspendu
status-approved = Approuvé
status-paid = Payé

confirmed-yes = Confirmé
confirmed-not-yet = Pas encore
confirmed-by-customer = Confirmé par le client
not-yet-confirmed = Pas encore confirmé par le client

reminder-registration_confirmation = Confirmation de l'enregistrement
reminder-service_due = Entretien à prévoir
reminder-warranty_expiring = Fin de garantie proche
reminder-status-pending = Prévu
reminder-status-queued = En attente d'envoi
reminder-status-sending = En cours d'envoi
reminder-status-sent = Envoyé
reminder-status-failed = Échec de l'envoi
reminder-status-skipped = Ignoré (date déjà passée à l'enregistrement)
reminder-status-cancelled = Annulé
reminder-status-bounced = Non distribué (l'adresse e-mail ne fonctionne pas)

kind-registration = Prime d'enregistrement
kind-on_time_bonus = Bonus d'enregistrement dans les délais
kind-clawback = Reprise
kind-adjustment = Ajustement
kind-service_attribution = Visite d'entretien après un rappel

basis-purchase = à compter de la date d'achat
basis-delivery = à compter de la date de livraison
basis-installation = à compter de la date d'installation

metric-registrations = Enregistrements
metric-on_time_rate = Enregistrés dans les délais
metric-contact_completeness = Coordonnées complètes
metric-attributed_visits = Visites d'entretien après un rappel

audit-created = Relevé créé
audit-approve = Approuvé
audit-hold = Suspendu
audit-release = Remis en vérification
audit-pay = Marqué comme payé

## Page d'erreur

error-403-title = Cette page ne vous est pas destinée
error-403-text = Votre rôle ou votre revendeur ne donne pas accès à cette page. Si vous en avez besoin, demandez à votre responsable ou à un administrateur.
error-404-title = Page introuvable
error-404-text = La page ou l'élément demandé n'existe pas, ou ne vous est pas accessible. Vérifiez l'adresse ou repartez de votre page d'accueil.
error-409-title = Un changement a eu lieu entre-temps
error-409-text = Quelqu'un ou quelque chose a modifié cet élément pendant que vous travailliez dessus : rien n'a été enregistré. Rouvrez la page pour voir où en sont les choses.
error-422-title = Impossible d'utiliser ce qui a été envoyé
error-422-text = Une partie de ce qui a été envoyé n'a pas pu être lue. Revenez en arrière, vérifiez le formulaire et réessayez.
error-500-title = Une erreur s'est produite de notre côté
error-500-text = Vous n'y êtes pour rien. Réessayez dans quelques minutes. Si le problème persiste, prévenez le support du fabricant.
error-503-title = Le service est surchargé ou en maintenance
error-503-text = Réessayez dans quelques minutes.
error-go-home = Aller à votre page d'accueil
error-code = Code d'erreur : { $code }

## Accueil revendeur

dealer-home-title = Votre point de vente en bref
home-registered = Enregistrés en { $month }
home-registered-note = Produits enregistrés par votre équipe ce mois-ci.
home-awaiting = En attente de confirmation du client
home-awaiting-note = Enregistrements dont le client n'a pas encore confirmé via le lien de l'e-mail de confirmation.
home-held = Primes retenues
home-held-note = Retenues jusqu'à ce que chaque client confirme via le lien de l'e-mail de confirmation ; elles sont ensuite ajoutées à vos relevés.
home-held-none = Aucune
home-latest = Derniers enregistrements
home-all-registrations = Voir tous les enregistrements
home-no-registrations = Aucun enregistrement pour l'instant. Enregistrez votre premier produit avec le bouton ci-dessus.

## Comptoir

counter-title = Enregistrer un produit
counter-lead = Remplissez ce formulaire avec le client au comptoir. La touche Entrée passe au champ suivant encore vide.
hint-serial = Scannez le code-barres ou saisissez le numéro.
hint-product = Saisissez le nom ou la référence du produit.
hint-warranty-start = Fait démarrer la garantie de ce produit.
field-external-ref = Référence de facture ou de commande
counter-customer = Client
hint-customer-contact = Saisissez une adresse e-mail ou un numéro de mobile, ou les deux. Les rappels partent par e-mail, ou par SMS si le client n’a donné qu’un numéro de mobile.
field-customer-name = Nom du client
field-customer-email = E-mail du client
field-customer-phone = Téléphone du client
field-customer-contact = E-mail ou téléphone du client
hint-customer-phone = Tel que le client l'indique, par exemple 06 12 34 56 78 ; nous ajoutons l'indicatif du pays.
hint-country = Code à deux lettres, par exemple FR ou GB.
field-customer-locale = Langue des e-mails du client
counter-consent = Consentement
field-consent-service = Rappels d'entretien et de garantie
field-consent-marketing = Offres et nouveautés
field-consent-safety-only = Messages de sécurité uniquement
consent-safety-only-label = Messages de sécurité uniquement : le client enregistre ce produit pour les rappels et avis de sécurité, et rien d’autre. Laissez les deux cases ci-dessus décochées.
field-preferred-channel = Canal préféré du client
hint-preferred-channel = S’il a donné un e-mail et un numéro de mobile.
preferred-channel-none = Pas de préférence
err-conflicts_with_safety_only = Un enregistrement pour les messages de sécurité uniquement n’autorise rien d’autre : décochez cette case.
err-missing_contact = Le canal préféré du client demande ce contact : indiquez-le, ou choisissez l’autre.
err-invalid_channel = Choisissez l’e-mail ou le SMS.
consent-service-label = Le client accepte de recevoir par e-mail ou par SMS les rappels d'entretien et de garantie de { $dealer }. Il peut se désabonner à tout moment depuis chaque e-mail, ou en répondant STOP à un SMS.
consent-marketing-label = Facultatif : le client accepte de recevoir par e-mail les offres et nouveautés de { $dealer }. Il peut se désabonner à tout moment depuis chaque e-mail.
consent-ask = Posez la question au client et ne cochez une case que s'il donne lui-même son accord.
privacy-notice = Politique de confidentialité (s'ouvre dans un nouvel onglet)
counter-submit = Enregistrer
counter-done-title = { $serial } est enregistré
counter-done-warranty = La garantie court jusqu'au { $date }.
counter-done-reminders =
    { $count ->
        [0] Aucun rappel n'est prévu.
        [one] Un rappel est prévu.
       *[other] { $count } rappels sont prévus.
    }
counter-done-incentive = Prime acquise : { $amount }.
counter-done-incentive-held = Prime : { $amount }, retenue jusqu'à ce que le client confirme l'enregistrement.
counter-done-incentive-held-email = Prime : { $amount }, retenue jusqu'à ce que le client confirme l'enregistrement via le lien de l'e-mail que nous lui avons envoyé.
counter-receipt-link = Imprimer le reçu du client
counter-see-registration = Voir l'enregistrement

## Reçu

receipt-title = Reçu d'enregistrement de garantie
receipt-back = Retour à l'enregistrement
receipt-confirm-email = Vous allez recevoir à l'adresse { $email } un e-mail vous demandant de confirmer cet enregistrement.
receipt-voided = Cet enregistrement a été annulé.
receipt-keep = Conservez ce reçu avec votre preuve d'achat.

## Enregistrements

registrations-title = Enregistrements
registrations-filters = Rechercher des enregistrements
registrations-search-label = Numéro de série, client ou référence
registrations-confirmed-any = Confirmés ou non
registrations-confirmed-yes = Confirmés par le client
registrations-confirmed-no = Pas encore confirmés
registrations-showing = Enregistrements { $first } à { $last } sur { $total }
registrations-caption = Enregistrements, du plus récent au plus ancien
registrations-empty = Aucun enregistrement ne correspond. Modifiez la recherche ou les filtres.

## Un enregistrement

registration-unit = Le produit
registered-when-who = { $when }, par { $who }
heading-customer = Client
field-confirmed-by-customer = Confirmé par le client
consent-agreed = Accepté
consent-not-agreed = Non accepté
consent-not-recorded = Non renseigné
registration-reminders = Rappels
registration-no-reminders = Aucun rappel n'est prévu pour ce produit.
registration-incentive = Prime
registration-no-incentive = Aucune prime pour cet enregistrement.
line-held = Retenue jusqu'à la confirmation du client
line-earned = Acquise
line-capped = Plafonnée (limite du programme atteinte)
registration-voided-title = Cet enregistrement est annulé
registration-voided-when = Annulé le { $when }.
registration-voided-when-who = Annulé le { $when } par { $who }.
registration-void-reason = Motif : { $reason }
registration-void-title = Annuler cet enregistrement
registration-void-help = N'annulez un enregistrement que si le produit a été retourné ou enregistré par erreur.
field-void-reason = Motif
hint-void-reason = Par exemple : retourné et remboursé le 3 mai.
void-confirm = Je comprends que les rappels du client s'arrêtent et que la prime est reprise.
void-submit = Annuler l'enregistrement

## Relevés du revendeur

statements-title = Relevés
statements-lead = Les primes, ajustements et reprises de chaque mois, une fois le mois clôturé par la finance.
statements-caption = Vos relevés, du plus récent au plus ancien
statements-held-title = Montants retenus
statements-held = Pas encore sur un relevé : { $amounts }. Ces montants sont retenus jusqu'à ce que vos clients confirment leur enregistrement via le lien de l'e-mail de confirmation.
statements-empty = Aucun relevé pour l'instant. Le premier est créé quand la finance clôture un mois au cours duquel vous avez gagné des primes.
payment-paid-on = Payé le { $when }
payment-reference = Référence : { $reference }
statement-title = Relevé : { $period }
statement-lines = Lignes du relevé
statement-empty = Ce relevé ne comporte aucune ligne.
subtotal-of = Sous-total : { $kind }
lines-count =
    { $count ->
        [one] { $count } ligne
       *[other] { $count } lignes
    }

## Tableau de bord

scorecard-title = Tableau de bord : { $period }
scorecard-key-figures = Chiffres clés
scorecard-targets = Objectifs
scorecard-no-targets = Aucun objectif n'a été fixé pour ce mois.
target-line = { $metric } : { $actual } pour un objectif de { $target } ({ $attainment })
target-met = Atteint
target-not-met = Non atteint
scorecard-trend = Les 12 derniers mois
chart-numbers = Afficher les chiffres
chart-actual = Réel
chart-target = Objectif
scorecard-all = Tous les chiffres du mois
score-figure = Indicateur
score-value = Valeur
score-meaning = Signification
score-registrations-note =
    { $voided ->
        [0] Aucune annulation.
        [one] 1 autre annulé.
       *[other] { $voided } autres annulés.
    }
score-registrations = Enregistrements
score-registrations-help = Produits enregistrés dans le mois et toujours actifs.
score-voided = Annulés
score-voided-help = Enregistrements du mois qui ont été annulés, par exemple après un retour.
score-on-time = Enregistrés dans les délais
score-on-time-help = Part des enregistrements du mois effectués dans le délai d'enregistrement du produit après l'achat.
score-median-days = Jours avant l'enregistrement (médiane)
score-median-days-help = La moitié des produits ont été enregistrés dans ce nombre de jours après leur achat.
score-completeness = Coordonnées complètes
score-completeness-help = Part des enregistrements avec une adresse e-mail et l'accord du client pour les rappels d'entretien.
score-rejected = Soumissions refusées
score-rejected-help = Enregistrements refusés parce qu'un champ était erroné ou manquant.
score-duplicates = Soumissions en double
score-duplicates-help = Numéros de série soumis de nouveau alors qu'ils étaient déjà enregistrés.
score-sent = Rappels envoyés
score-sent-help = E-mails envoyés à vos clients : confirmations, rappels d'entretien et de garantie.
score-bounced = Rappels non distribués
score-bounced-help = Rappels qui n'ont pas pu être distribués parce que l'adresse e-mail est erronée ou ne fonctionne plus.
score-clicked = Rappels cliqués
score-clicked-help = Rappels dans lesquels le client a suivi un lien.
score-visits = Visites d'entretien après un rappel
score-visits-help = Visites d'entretien dans votre point de vente qui ont suivi un rappel.
score-attribution = Visites par rappel
score-attribution-help = Visites d'entretien après un rappel, par rappel d'entretien ou de garantie envoyé.
score-accrued = Primes acquises
score-accrued-help = Primes gagnées par les enregistrements du mois.
score-held = Retenu jusqu'à la confirmation des clients
score-held-help = Part des primes qui attend que les clients confirment via le lien de l'e-mail de confirmation.
score-approved = Approuvé
score-approved-help = Primes figurant sur un relevé approuvé par la finance.
score-paid = Payé
score-paid-help = Primes figurant sur un relevé qui a été payé.
score-manufacturer-on-time = Rappels envoyés à temps par le fabricant
score-manufacturer-on-time-help = Part des rappels que le fabricant a envoyés dans la journée suivant leur date prévue : notre part du contrat.

## Équipe et utilisateurs

team-title = Votre équipe
team-people = Personnes
invite-title = Inviter une personne
invite-help = La personne reçoit un e-mail avec un lien de connexion ; aucun mot de passe n'est nécessaire.
invite-submit = Envoyer l'invitation
person-you = (vous)
person-active = Actif
person-disabled = Désactivé
person-disable = Désactiver
person-enable = Réactiver
person-send-link = Envoyer un lien de connexion
admin-people-title = Utilisateurs
admin-people-list = Toutes les personnes ayant un compte
admin-dealer-none = — pour les rôles revendeur —
hint-dealer-roles = Uniquement pour les employés et les responsables revendeur.

## Finance

fin-statements-title = Relevés des revendeurs
fin-filters = Rechercher des relevés
fin-filter-dealer = Nom ou code du revendeur
fin-statements-caption = Relevés
fin-statements-count =
    { $count ->
        [one] Un relevé correspond.
       *[other] { $count } relevés correspondent.
    }
fin-statements-empty = Aucun relevé ne correspond à ces filtres.
fin-totals =
    { $count ->
        [one] Le seul relevé correspondant en { $currency }
       *[other] Les { $count } relevés correspondants en { $currency }
    }
fin-close-heading = Clôturer un mois
fin-close-intro = Les relevés sont créés à la clôture d'un mois.
fin-close-link = Clôturer une période…
fin-statements-of = Relevés : { $period }
fin-actions = Étapes suivantes
fin-approve = Approuver le relevé
fin-own-adjustment = Vous avez saisi un ajustement sur ce relevé : un autre approbateur doit donc l'approuver.
fin-approver-needed = Un approbateur finance doit approuver ce relevé.
fin-approved-by-me = Vous avez approuvé ce relevé ; une autre personne doit le marquer comme payé.
fin-mark-paid = Marquer comme payé
fin-hold-reason-label = Motif de la suspension
fin-hold = Suspendre
fin-hold-hint = Le revendeur voit le motif d'une suspension sur son relevé.
fin-release = Remettre en vérification
fin-add-adjustment = Ajouter un ajustement pour ce revendeur
fin-download-csv = Télécharger les lignes (CSV)
fin-held = Retenu pour ce revendeur, hors de ce relevé : { $amounts }. Ces montants figureront sur un relevé ultérieur une fois que les clients auront confirmé.
fin-history = Historique

adj-title = Ajouter un ajustement
adj-lead = Un ajustement ajoute ou déduit un montant sur le relevé d'un revendeur, par exemple une correction ou un geste commercial.
adj-choose-dealer = Choisissez un revendeur
hint-currency = Code à trois lettres, par exemple EUR.
hint-amount = Négatif pour déduire, par exemple -12,50
adj-period = Mois
hint-adj-period = L'ajustement figure sur le relevé de ce mois ; le mois ne doit pas encore être clôturé.
field-adj-reason = Motif
hint-adj-reason = Le revendeur le verra sur son relevé.
adj-note-statement = L'ajustement apparaît sur le relevé du revendeur à la clôture de son mois.
adj-note-approver = Un approbateur autre que la personne qui l'a saisi doit approuver ce relevé.
adj-submit = Ajouter l'ajustement

close-title = Clôturer une période
close-choose = Mois à clôturer
close-already = La période { $period } est déjà clôturée.
close-see-statements = Voir les relevés de la période { $period }
close-under-way = La période { $period } n'est pas terminée. Elle pourra être clôturée à partir du premier jour du mois suivant.
close-confirm-title = Clôturer { $period } ?
close-explain-statements = Des relevés sont créés pour chaque revendeur ayant des montants en attente jusqu'à la fin de la période { $period }.
close-explain-locked = Après la clôture, plus aucune écriture ne pourra être ajoutée à la période { $period }.
close-explain-final = Cette opération est irréversible.
close-what = Ce qui figurera sur les relevés de la période { $period }
close-entries = Écritures
close-nothing = Aucun revendeur n'a de montant en attente : les relevés seront vides.
close-confirm-label = J'ai vérifié la liste et je veux clôturer { $period }.
close-submit = Clôturer { $period }

## Administration

admin-home-title = Administration
admin-manage-dealers = Gérer les revendeurs
admin-manage-products = Gérer les produits
admin-manage-people = Gérer les utilisateurs
admin-what = Le rôle des administrateurs
admin-do-dealers = Ajouter des revendeurs et tenir leurs coordonnées à jour.
admin-do-products = Tenir le catalogue des produits : durée de garantie, ce qui fait démarrer la garantie, plans d'entretien.
admin-do-programs = Définir les programmes de primes et les objectifs des revendeurs.
admin-do-people = Inviter des personnes, désactiver les comptes des personnes parties, envoyer de nouveaux liens de connexion.
admin-do-signals = Examiner les signaux de fraude.

# Erreurs des champs du formulaire du comptoir, selon le code de l'erreur.
err-required = Ce champ est obligatoire.
err-invalid_email = Saisissez une adresse e-mail, par exemple nom@exemple.fr.
err-invalid_phone = Saisissez un numéro où joindre le client, par exemple 06 12 34 56 78 ou +44 7700 900123.
err-invalid_serial = Saisissez le numéro de série tel qu'imprimé sur le produit : lettres, chiffres, tirets.
err-invalid_date = Saisissez une date.
err-in_future = Cette date est dans le futur.
err-too_old = Cette date est trop ancienne pour un enregistrement.
err-before_purchase = Cette date est antérieure à la date d'achat.
err-contact_required = Saisissez l'e-mail ou le téléphone du client, pour qu'il reçoive ses rappels.
err-unknown_sku = Ce produit est inconnu. Choisissez-en un dans la liste.
err-invalid_sku = Choisissez un produit dans la liste.
err-too_long = Ce texte est trop long.
err-invalid_characters = Ce texte contient des caractères non autorisés.
err-invalid_country = Saisissez un code pays à 2 lettres, par exemple FR ou BE.
err-invalid_locale = Choisissez une langue dans la liste.
err-invalid_postal_code = Saisissez un code postal, par exemple 75001.
err-out_of_range = Cette valeur est hors limites.
err-invalid_time_zone = Saisissez un fuseau horaire, par exemple Europe/Paris.
err-invalid_url = Saisissez une adresse web commençant par https://.
notice-adjustment-added = L’ajustement est enregistré. Il figurera sur le relevé du revendeur à la clôture de son mois.

## Administration : revendeurs, produits, programmes, signaux de fraude

no = Non
field-code = Code
field-locale = Langue
field-time-zone = Fuseau horaire
field-send-window = Plage d'envoi
field-category = Catégorie
field-warranty = Garantie
field-service-plan = Plan d'entretien
field-version = Version
field-saved-at = Enregistrée le
send-window-default = Par défaut
dealer-active = Actif
dealer-inactive = Inactif

admin-dealers-caption = Tous les revendeurs
admin-dealers-empty = Aucun revendeur pour l'instant. Ajoutez le premier ci-dessous.
admin-dealer-add = Ajouter un revendeur
admin-dealer-new-code = Code du nouveau revendeur
hint-dealer-code = 1 à 32 lettres, chiffres, - ou _, par exemple D042.
admin-dealer-new-title = Nouveau revendeur { $code }
admin-dealer-new-lead = Aucun revendeur n'a encore le code { $code }. Remplissez le formulaire et enregistrez pour l'ajouter.
admin-dealer-saved = Les informations du revendeur sont enregistrées.
dealer-section-profile = Profil
dealer-section-defaults = Valeurs par défaut pour les clients
dealer-section-branding = Identité dans les e-mails
dealer-section-send-window = Plage d'envoi
hint-dealer-email = Les clients voient cette adresse dans les e-mails envoyés au nom du revendeur.
hint-dealer-phone = Format international (E.164), par exemple +33612345678. Les clients voient ce numéro dans les e-mails.
field-customer-language = Langue des clients
hint-customer-language = Les e-mails partent dans la langue du client quand nous la connaissons, sinon dans celle-ci.
hint-time-zone = Nom IANA, par exemple Europe/Paris.
field-address = Adresse
hint-dealer-address = Affichée en pied de chaque e-mail envoyé aux clients de ce revendeur.
field-booking-url = Page de prise de rendez-vous
hint-booking-url = Une adresse web commençant par https://. Le bouton « Réserver mon entretien » des rappels d'entretien y mène, avec le numéro de série et le produit ; sans elle, l'e-mail indique le téléphone et l'e-mail du revendeur.
field-send-window-cron = Plage d'envoi (expression cron)
hint-send-window = Six champs (secondes, minutes, heures, jour du mois, mois, jour de la semaine), dans le fuseau horaire du client. Laissez vide pour utiliser la valeur par défaut : { $default }. La modifier replanifie les rappels pas encore envoyés.
field-dealer-active = Revendeur actif
hint-dealer-active = Les utilisateurs et les clés d'API d'un revendeur inactif sont refusés.
admin-dealer-people = Utilisateurs de ce revendeur
admin-dealer-no-people = Personne chez ce revendeur n'a encore de compte.
admin-dealer-invite = Inviter quelqu'un depuis la page Utilisateurs

admin-products-caption = Tous les produits
admin-products-empty = Aucun produit pour l'instant. Ajoutez le premier ci-dessous.
admin-product-add = Ajouter un produit
admin-product-new-code = Référence du nouveau produit
hint-product-code = 1 à 64 lettres, chiffres, -, _ ou ., par exemple MWR-420.
warranty-months = { $months } mois
admin-product-new-title = Nouveau produit { $sku }
admin-product-new-lead = Aucun produit n'a encore la référence { $sku }. Remplissez le formulaire et enregistrez pour l'ajouter.
admin-product-saved = Le produit est enregistré.
field-warranty-months = Durée de la garantie en mois
hint-warranty-months = De 1 à 600.
field-warranty-basis = Ce qui fait démarrer la garantie
basis-purchase-help = La date d'achat, que le comptoir demande toujours.
basis-delivery-help = La date de livraison ; le comptoir la demande alors.
basis-installation-help = La date d'installation ; le comptoir la demande alors.
hint-service-plan = Durées ISO 8601 comptées depuis le début de la garantie, séparées par des virgules, par exemple P12M, P24M. Chacune donne un rappel d'entretien.
field-registration-window = Délai d'enregistrement en jours
hint-registration-window = Nombre de jours après l'achat pendant lesquels un enregistrement compte comme fait à temps.

admin-programs-caption = La version en vigueur de chaque programme
admin-programs-empty = Aucun programme pour l'instant. Ajoutez le premier ci-dessous.
admin-program-add = Ajouter un programme
admin-program-new-code = Identifiant du nouveau programme
hint-program-code = 1 à 32 lettres, chiffres, - ou _, par exemple REG-2027.
field-program-id = Identifiant
field-program-valid = Achats concernés
program-valid-from-to = Du { $start } au { $end }
program-valid-open = À partir du { $start }, sans date de fin
admin-program-title = Programme { $id }
admin-program-versions = Versions côte à côte
admin-program-versions-help = Chaque colonne est une version enregistrée, de la plus récente à la plus ancienne ({ $count } affichées). Un champ marqué « Modifié » diffère entre les versions affichées.
admin-program-one-version = Une seule version a été enregistrée pour l'instant.
admin-program-versions-caption = Les champs de { $id } dans chaque version
admin-program-field = Champ
admin-program-changed = Modifié
program-version = Version { $version }
admin-program-save-heading = Enregistrer une nouvelle version
admin-program-first-heading = Enregistrer la première version
admin-program-first = Le programme { $id } n'a pas encore de version. Enregistrer la définition ci-dessous crée sa première version.
field-definition = Définition (JSON)
hint-definition-amounts = Les montants sont en unités mineures : 1250 signifie 12,50.
hint-definition-versions = Enregistrer crée une nouvelle version (sauf si rien n'a changé) ; les produits déjà enregistrés gardent la version sous laquelle ils ont obtenu leur prime.
admin-program-save = Enregistrer comme nouvelle version

signals-title = Signaux de fraude : { $period }
signals-lead = Un signal est une piste à vérifier, pas la preuve qu'une faute a été commise.
signals-filters = Choisir le mois
signals-count =
    { $count ->
        [one] Un signal
       *[other] { $count } signaux
    }, { $open ->
        [0] tous résolus.
        [one] un reste à vérifier.
       *[other] { $open } restent à vérifier.
    }
signals-empty = Aucun signal pour cette période.
signal-open = À vérifier
signal-resolved = Résolu
signal-found = Constat
signal-resolved-on = Le { $when }
signal-resolved-on-by = Le { $when }, par { $who }
signal-resolution-label = Ce que vous avez constaté
hint-signal-resolution = Enregistré avec votre nom et visible des autres administrateurs ; le signal compte alors comme résolu.
signal-resolve = Marquer comme résolu
signal-other = Autre signal : { $kind }
signal-other-help = Cette page ne décrit pas encore ce type de signal ; examinez les éléments relevés.
signal-serial_held_by_other_dealer = Numéro de série détenu par un autre revendeur
signal-serial_held_by_other_dealer-help = Le revendeur a tenté d'enregistrer un numéro de série qu'un autre revendeur a déjà enregistré.
signal-burst_before_close = Pic avant la clôture du mois
signal-burst_before_close-help = Beaucoup plus d'enregistrements que d'habitude dans les deux derniers jours du mois, juste avant le calcul des primes.
signal-contact_reused = Même contact client sur de nombreux enregistrements
signal-contact_reused-help = Une même adresse e-mail ou un même numéro de téléphone figure sur de nombreux enregistrements (tous revendeurs, depuis le début) et a de nouveau servi ce mois-ci.
signal-late_purchase_date = Enregistré longtemps après l'achat
signal-late_purchase_date-help = La date d'achat précède l'enregistrement de plus de 180 jours.
signal-servicer_pattern = Visites d'entretien inhabituelles
signal-servicer_pattern-help = Les visites d'un réparateur agréé sur des produits vendus par d'autres revendeurs semblent servir à faire gagner des primes au vendeur.
signal-visit_on_other_dealers_unit = Visite sur le produit d'un autre revendeur
signal-visit_on_other_dealers_unit-help = Une visite d'entretien a été déclarée sur un produit vendu par un autre revendeur.
signal-servicer_volume = Nombreuses visites par un même réparateur
signal-servicer_volume-help = Un revendeur a déclaré en peu de temps de nombreuses visites d'entretien sur des produits vendus par d'autres revendeurs.
signal-many_visits_on_others_units = Nombreuses visites sur les produits d'autres revendeurs
signal-many_visits_on_others_units-help = En 30 jours, le revendeur a déclaré sur des produits vendus par d'autres revendeurs autant de visites d'entretien que le seuil fixé, ou un multiple de ce seuil.
signal-visit_right_after_reminder = Visite juste après un rappel
signal-visit_right_after_reminder-help = Une première visite sur un produit vendu par un autre revendeur a été déclarée dans les 48 heures suivant le rappel d'entretien du client.
signal-visit_on_unauthorized_unit = Visite sur un produit que le revendeur ne peut pas entretenir
signal-visit_on_unauthorized_unit-help = Le revendeur a tenté de déclarer une visite d'entretien sur un produit qu'il n'a pas vendu et qu'il n'est pas agréé à entretenir ; la visite a été refusée.
evidence-serial_number = Numéro de série
evidence-held_by = Enregistré par (code revendeur)
evidence-at = Date
evidence-last_two_days = Enregistrements des deux derniers jours
evidence-daily_average_before = Moyenne quotidienne avant
evidence-registration_id = Enregistrement
evidence-days_after_purchase = Jours après l'achat
evidence-registrations = Enregistrements avec ce contact
evidence-this_period = Dont ce mois-ci
evidence-servicing_dealer = Revendeur qui a fait l'entretien
evidence-selling_dealer = Revendeur qui a vendu
evidence-visits = Visites
evidence-window_days = Sur (jours)
evidence-sold_by = Vendu par (code revendeur)
evidence-service_date = Date de l'entretien
evidence-reminder_sent_at = Rappel envoyé
evidence-attributed = Attribuée au rappel
evidence-visits_on_others_units = Visites sur les produits d'autres revendeurs
evidence-days = Sur (jours)
evidence-threshold = Seuil
fin-download-period-csv = Télécharger les relevés de ce mois en CSV (une ligne par ligne de relevé)
changes-title = Modifications
changes-when = Quand
changes-what = Quoi
changes-who = Qui
changes-created = Création
changes-saved = Enregistrement
changes-someone = (une clé supprimée)
field-gtin = GTIN (numéro du code-barres)
hint-gtin = Facultatif. Le GTIN du produit, à 8, 12, 13 ou 14 chiffres ; ses unités reçoivent alors des adresses GS1 Digital Link pour leurs QR codes.
nav-qr = QR code
nav-units = QR codes des produits
owner-unusable-title = Ce code ne peut pas être utilisé
owner-unusable-text = Le QR code ou l’adresse que vous avez ouvert n’est pas valable. Demandez-en un nouveau au magasin où vous avez acheté votre produit.
owner-register-title = Enregistrez votre produit
owner-register-lead = Enregistrez le produit acheté chez { $dealer }. Vous recevez les informations de garantie et, si vous le souhaitez, les rappels d’entretien de { $dealer }.
owner-hint-serial = Imprimé sur l’étiquette du produit ou sur votre ticket.
owner-choose-product = Choisissez votre produit
owner-field-name = Votre nom
owner-field-email = Votre adresse e-mail
owner-field-phone = Votre numéro de téléphone
owner-hint-contact = Indiquez votre adresse e-mail ou votre téléphone, ou les deux.
owner-consent-legend = Ce que vous acceptez (les deux sont facultatifs)
owner-consent-reminders = Je souhaite recevoir les rappels d’entretien et de garantie de { $dealer }. Je peux les arrêter à tout moment depuis chaque e-mail, ou en répondant STOP à un SMS.
owner-consent-marketing = Je souhaite recevoir par e-mail les offres et actualités de { $dealer }. Je peux me désabonner à tout moment.
owner-privacy = Comment vos données sont utilisées (politique de confidentialité)
owner-register-button = Enregistrer mon produit
owner-already-registered = Ce produit est déjà enregistré. S’il est à vous, adressez-vous au magasin où vous l’avez acheté.
owner-registered-title = Votre produit est enregistré
owner-registered-text = { $serial } est enregistré chez { $dealer }. Sa garantie court jusqu’au { $date }.
owner-registered-confirm = Nous vous avons envoyé un e-mail : ouvrez-le et confirmez votre enregistrement en un clic.
unit-registered = Ce produit est enregistré.
unit-registered-owner = Son propriétaire retrouve son enregistrement par les liens des e-mails qu’il a reçus.
unit-unregistered = Ce produit n’est pas encore enregistré.
unit-unregistered-how = Enregistrez-le ici, ou demandez au magasin où vous l’avez acheté son QR code d’enregistrement : l’un ou l’autre prend une minute.
qr-title = Votre QR code d’enregistrement
qr-lead = Vos clients scannent ce code avec leur téléphone pour enregistrer eux-mêmes ce qu’ils vous ont acheté. Les enregistrements faits ainsi sont crédités à votre magasin.
qr-any-product = Tout produit (le client choisit)
qr-for-this-sale = Créer un code pour cette vente
qr-caption = Scannez pour enregistrer votre produit
qr-caption-sale = Scannez pour enregistrer { $serial }
qr-download-png = Télécharger en PNG
qr-download-svg = Télécharger en SVG
qr-address = Le code ouvre cette adresse :
qr-open = le formulaire d’enregistrement
units-title = QR codes des produits
units-lead = Chaque code ouvre l’adresse propre de l’unité (GS1 Digital Link quand le produit a un GTIN), qui indique le produit et s’il est enregistré, jamais son propriétaire.
units-serials = Numéros de série
units-serials-hint = Un par ligne, ou collez un CSV dont la première colonne les contient (500 au plus).
units-make-sheet = Créer la planche à imprimer
owner-page-title = Vos produits
owner-units = Ce que vous avez enregistré
owner-bought-from = Acheté chez
owner-next-service = Prochain entretien
owner-no-service-planned = Aucun prévu
owner-unit-voided = Enregistrement annulé
owner-unit-confirmed = Enregistré et confirmé
owner-unit-unconfirmed = Enregistré ; confirmez-le par le lien de notre premier e-mail
owner-not-mine = Ce n’est pas mon produit
owner-not-mine-help = Si vous n’avez jamais acheté ce produit, dites-le-nous : vous ne recevrez plus d’e-mails à son sujet, et nous vérifierons l’enregistrement.
owner-not-mine-button = Signaler : ce n’est pas le mien
owner-not-mine-done = Merci. Vous ne recevrez plus d’e-mails à son sujet, et nous vérifierons l’enregistrement.
owner-choices = Vos choix
owner-channel-legend = Comment { $dealer } vous envoie ses rappels
owner-channel-email = Par e-mail, à { $email }
owner-channel-sms = Par SMS, au { $phone }
owner-texts-stopped = Vous avez répondu STOP à l’un de nos SMS : nous ne vous en envoyons plus. Répondez START à l’un d’eux pour les recevoir de nouveau.
owner-save-choices = Enregistrer mes choix
owner-choices-saved = Vos choix sont enregistrés.
owner-page-private = On accède à cette page par les liens de vos e-mails ; toute personne ayant l’un de ces liens peut l’ouvrir : ne les transférez pas.
correction-title = Corriger cet enregistrement
correction-help = Corrigez une faute de frappe dans les coordonnées du client, une date ou la référence, dans les { $days } jours suivant l’enregistrement. Les rappels pas encore envoyés suivent les dates corrigées ; la prime est recalculée si elle change.
correction-open = Afficher le formulaire de correction
correction-save = Enregistrer la correction
correction-saved = L’enregistrement est corrigé.
correction-stale = Quelqu’un a modifié cet enregistrement pendant que vous le corrigiez. Le voici tel qu’il est maintenant : refaites votre correction.
correction-too-late = Le délai de correction de cet enregistrement est passé ; demandez au fabricant de le corriger.
err-contact-taken = Un autre de vos clients a déjà cette adresse e-mail ou ce numéro de téléphone.
owner-consent-manufacturer = Je souhaite recevoir par e-mail les offres et actualités de { $manufacturer }, le fabricant. Je peux me désabonner à tout moment.

## Transfert de propriété
field-transfer-policy = Quand le produit change de mains
transfer-policy-transferable = La garantie suit chaque nouveau propriétaire
transfer-policy-transferable-help = Les propriétaires peuvent transférer le produit à chaque changement de mains.
transfer-policy-once = La garantie suit une seule fois
transfer-policy-once-help = Le premier propriétaire peut le transférer ; les suivants non.
transfer-policy-not_transferable = La garantie reste au premier propriétaire
transfer-policy-not_transferable-help = Le produit ne peut pas être transféré à un nouveau propriétaire.
owner-transfer = Transférer à un nouveau propriétaire
owner-transfer-help = Vous avez vendu ou donné ce produit ? Saisissez l’adresse e-mail du nouveau propriétaire. Nous lui envoyons un lien pour accepter ; tant qu’il n’a pas accepté, rien ne change. Ensuite, vous ne recevrez plus de rappels à son sujet.
owner-transfer-email = Adresse e-mail du nouveau propriétaire
owner-transfer-button = Envoyer le lien de transfert
owner-transfer-sent = Nous avons envoyé au nouveau propriétaire un lien pour accepter le transfert. Tant qu’il n’a pas accepté, rien ne change.
owner-transfer-pending = Un transfert attend l’accord du nouveau propriétaire, jusqu’au { $date }.
transfer-same-owner = C’est votre propre adresse e-mail. Saisissez celle du nouveau propriétaire.
transfer-not-transferable = La garantie de ce produit ne peut pas être transférée à un nouveau propriétaire.
owner-handed-on = Produits que vous avez cédés
owner-handed-on-item = { $product } (numéro de série { $serial }), transféré le { $date }
transfer-accept-title = Acceptez votre produit
transfer-accept-lead = Le produit { $product } portant le numéro de série { $serial } vous est transféré. Saisissez vos coordonnées et choisissez les messages que vous souhaitez recevoir.
transfer-accept-button = Accepter le transfert
transfer-accept-ignore = Si vous ne connaissez pas ce produit, fermez cette page : rien ne change sans vous.
transfer-done-title = Le produit est à vous
transfer-done-text = Le produit { $product } (numéro de série { $serial }) est désormais enregistré à votre nom chez { $dealer }. La garantie enregistrée court jusqu’au { $date }. Nous vous avons envoyé un e-mail de confirmation.
transfer-done-owner-page = Voir vos produits et vos choix
transfer-ended-title = Ce lien ne fonctionne plus
transfer-ended-text = Ce lien de transfert a déjà servi, a été retiré ou a expiré. Demandez au propriétaire de vous en envoyer un nouveau.
transfer-ended-accepted = Ce transfert a été accepté. Utilisez le lien de votre e-mail de confirmation pour voir votre produit.
counter-transfer-title = Changement de propriétaire ?
counter-transfer-text = Si ce client a acheté le produit à son précédent propriétaire, envoyez-lui un lien pour le reprendre : il accepte avec ses propres coordonnées, et vous êtes enregistré comme le revendeur qui le suit. Rien n’est montré du précédent propriétaire.
counter-transfer-button = Envoyer le lien de transfert
counter-transfer-sent = Nous avons envoyé au nouveau propriétaire un lien pour accepter le transfert. Tant qu’il n’a pas accepté, rien ne change.

## Preuve d'achat
owner-proof = Preuve d’achat
owner-proof-none = Aucune ajoutée
owner-proof-added = Ajoutée le { $date } (télécharger)
owner-proof-add = Ajouter une preuve d’achat
owner-proof-file = Ticket de caisse ou facture
owner-proof-hint = Un PDF, ou une photo (JPEG, PNG ou HEIC), de 10 Mo au plus. Seuls vous, le revendeur qui l’a vendu et le fabricant pouvez la voir.
owner-proof-button = Ajouter le fichier
owner-proof-saved = Votre preuve d’achat est enregistrée.
proof-too-large = Ce fichier est trop volumineux. Envoyez un PDF ou une photo de 10 Mo au plus.
proof-missing = Choisissez un fichier à ajouter.
proof-refused = Ce fichier ne peut pas être accepté. Envoyez un PDF, ou une photo JPEG, PNG ou HEIC, du seul ticket.

## Enregistrement par le propriétaire depuis l'adresse du produit
unit-register-button = Enregistrer ce produit
unit-register-title = Enregistrez votre produit
unit-register-lead = Nous enregistrons votre demande dès maintenant. Le revendeur qui vous l’a vendu confirme ensuite la vente ; il peut alors vous envoyer ses rappels d’entretien et de garantie, et vous confirmez par le lien de son premier e-mail.
unit-consent-reminders = Je souhaite recevoir par e-mail les rappels d’entretien et de garantie du revendeur qui m’a vendu ce produit, une fois la vente confirmée. Je peux me désabonner à tout moment.
unit-consent-marketing = Je souhaite recevoir par e-mail les offres et actualités de ce revendeur. Je peux me désabonner à tout moment.
unit-recorded = Merci : votre enregistrement est noté. Le revendeur qui vous a vendu le produit confirme ensuite la vente, et son premier e-mail vous demande de confirmer.
unit-waiting = L’enregistrement de ce produit est noté et attend que son revendeur confirme la vente.
counter-done-incentive-held-proof = Prime : { $amount }, retenue jusqu’à l’ajout d’une preuve d’achat (par l’API, ou par le client depuis sa page).
line-held-proof = Retenue jusqu’à l’ajout d’une preuve d’achat

## Côté revendeur : preuves et revendications
dealer-proof-hint = Un PDF, ou une photo (JPEG, PNG ou HEIC), de 10 Mo au plus. Le client et le fabricant peuvent aussi la voir.
claim-title = Revendiquer une vente
claim-lead = Votre client a enregistré le produit lui-même, depuis son QR code ou son adresse web ? Revendiquez la vente avec votre référence dans les { $days } jours suivant son enregistrement : l’enregistrement devient le vôtre, et il le confirme par le lien de votre premier e-mail.
claim-reference = Référence de votre vente
claim-reference-hint = Le numéro de facture ou de commande, conservé avec l’enregistrement.
claim-button = Revendiquer la vente
claim-not-found = Aucun enregistrement par un propriétaire n’attend pour ce numéro de série.
claim-window-closed = Une vente se revendique dans les { $days } jours suivant l’enregistrement du propriétaire ; celui-ci est plus ancien.
claim-already-yours = Vous avez déjà revendiqué cette vente.
claim-by-another = Un autre revendeur a revendiqué cette vente. Si vous l’avez vendue, contactez le fabricant.
claim-registered = Ce numéro de série est déjà enregistré.
claim-link = Votre client l’a enregistré lui-même ? Revendiquez la vente
registration-claimed = La vente est à vous : le client reçoit votre e-mail de confirmation.
owner-transfer-stop = Arrêter ce transfert
owner-transfer-stopped = Le transfert est arrêté : son lien ne fonctionne plus, et le produit reste à vous.
owner-proof-optional = Ticket de caisse ou facture (facultatif)
owner-not-handed-on = Je ne l’ai pas cédé
owner-not-handed-on-help = Si ce produit est toujours à vous et que vous n’avez pas accepté ce transfert, dites-le-nous : le fabricant vérifie avec les revendeurs concernés.
owner-not-handed-on-button = Signaler : je ne l’ai pas cédé
owner-not-handed-on-done = Merci. Le fabricant va vérifier ce transfert.

## The owner's subject-access export
mydata-title = Ce que nous conservons à votre sujet
mydata-lead = Tout ce que ce service conserve à votre sujet, chez chaque distributeur qui a enregistré l’un de vos produits : vos coordonnées, vos produits, les messages que nous vous avons envoyés et vos choix.
mydata-download = Tout télécharger dans un fichier (JSON)
mydata-details = Vos coordonnées, telles que chaque distributeur les conserve
mydata-none = Aucun
mydata-language = Langue
mydata-preferred-channel = Canal préféré
mydata-since = Depuis le
mydata-product = Produit
mydata-messages = Messages que nous vous avons envoyés
mydata-sent-on = Envoyé le
mydata-choices = Vos choix au fil du temps
mydata-on = Date
mydata-given-to = Donné à
mydata-purpose = Pour
mydata-answer = Réponse
mydata-party-dealer = Le distributeur
mydata-party-manufacturer = Le fabricant
mydata-purpose-service_reminders = Rappels d’entretien et de garantie
mydata-purpose-marketing = Offres
mydata-granted = Oui
mydata-withdrawn = Non
mydata-other = Tout le reste
mydata-clicks = Liens de nos messages que vous avez ouverts
mydata-visits = Visites d’entretien
mydata-corrections = Corrections de vos enregistrements
mydata-transfers = Transferts de propriété
mydata-transfer-from = Cédé le
mydata-transfer-to = Reçu le
mydata-own-registrations = Produits que vous avez enregistrés vous-même
mydata-texts-received = SMS que vous nous avez envoyés
mydata-suppressed = Coordonnées auxquelles nous n’écrivons plus
owner-my-data = Voir tout ce que nous conservons à votre sujet

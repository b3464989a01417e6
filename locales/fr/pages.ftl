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
hint-customer-contact = Saisissez une adresse e-mail ou un numéro de téléphone, ou les deux. Les rappels sont envoyés par e-mail.
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
consent-service-label = Le client accepte de recevoir par e-mail les rappels d'entretien et de garantie de { $dealer }. Il peut se désabonner à tout moment depuis chaque e-mail.
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

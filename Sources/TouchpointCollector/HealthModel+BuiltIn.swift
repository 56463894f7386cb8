/// The built-in health model, used when no `--health`/`--model` file is given.
extension HealthModel {
    /// The text of the built-in model: the same as `examples/health.yaml` (a test checks they match).
    public static let builtInYAML = #"""
# Account health model for `touchpoint health --model examples/health.yaml` and
# `touchpoint collector serve --health examples/health.yaml`. This is also the built-in model used
# when no file is given.
#
# Each component is normalised to 0–100, then weighted (weights are relative: they need not sum to 1).
# Only complete, non-suspect responses that carry an account reference count.
components:
  nps:
    weight: 0.35
    range: [-100, 100]       # NPS −100 → 0, 0 → 50, 100 → 100 (clamped outside the range)
  ces:
    weight: 0.15             # mean CES on each question's own scale: 1 → 0, top of the scale → 100
    scale: 7                 # scale assumed for answers to a survey version the collector does not know
  csat:
    weight: 0.2
    range: [0, 100]          # percent of answers that are 4 or 5
  engagement:
    weight: 0.3
    recency:                 # 100 on the day of the last response or CRM interaction, halving every halfLifeDays
      weight: 0.5
      halfLifeDays: 30
    frequency:               # responses in the last windowDays + the CRM's interaction count, 100 at target
      weight: 0.5
      windowDays: 90
      target: 6

answers:
  windowDays: 365            # answers older than this are left out (leave out for all answers)
  minimum: 1                 # a survey component with fewer answers counts as missing

# A missing component (an account that never answered a CES question, say): `renormalise` spreads its
# weight over the components present; a number from 0 to 100 stands in for it instead.
missing: renormalise

zones:
  green: 70                  # 70 and above
  yellow: 45                 # 45 up to 70; below 45 is red

# Actions due for every account in a zone, and once when an account moves between zones (the move is seen
# against the zone `touchpoint health` recorded last time). `owner: account` is the account's owner
# from the accounts CSV; anything else is a role.
playbook:
  zones:
    red:
      - action: Call the customer's main contact and agree a recovery plan
        owner: account
      - action: Review every detractor comment from this account with the team
        owner: CX lead
    yellow:
      - action: Book a check-in meeting this month
        owner: account
    green:
      - action: Ask for a referral or a case study
        owner: account
  moves:
    green -> yellow:
      - action: Find out what changed since the last review
        owner: account
    yellow -> red:
      - action: Escalate to the head of customer success within two working days
        owner: CX lead
      - action: Call the customer this week
        owner: account
    green -> red:
      - action: Escalate to the head of customer success today
        owner: CX lead
    red -> yellow:
      - action: Confirm the recovery plan is working; keep weekly contact
        owner: account
    yellow -> green:
      - action: Thank the customer and record what worked
        owner: account

"""#

    /// The built-in model, parsed from ``builtInYAML``.
    public static let builtIn: HealthModel = {
        do {
            return try parse(yaml: builtInYAML, file: "built-in health model")
        } catch {
            preconditionFailure("the built-in health model does not validate: \(error)")
        }
    }()
}

// The signed-in user's role (auth.whoami): controls a role may not use are hidden (data-role) or
// disabled (data-edit-role on a form), so nobody meets a 403 in the page.
const ranks = { viewer: 0, operator: 1, admin: 2 };
let current = 'viewer';

export function allowed(needed) { return ranks[current] >= ranks[needed]; }

export function setRole(role) {
  current = role in ranks ? role : 'viewer';
  document.body.dataset.role = current;
  for (const node of document.querySelectorAll('[data-role]')) node.hidden = !allowed(node.dataset.role);
  for (const form of document.querySelectorAll('[data-edit-role]')) {
    for (const control of form.elements) control.disabled = !allowed(form.dataset.editRole);
  }
}

/**
 * Name pools for the seeded course: varied enough that a class list looks like a real one
 * (accents, hyphens, apostrophes, short and long names), so the tool's UI meets them early.
 */
export const GIVEN_NAMES = [
  'Amara', 'Benjamin', 'Chloé', 'Dmitri', 'Elif', 'Farah', 'Gabriel', 'Hana', 'Isaac', 'Jasmine',
  'Kwame', 'Léa', 'Mateo', 'Nadia', 'Oliver', 'Priya', 'Quentin', 'Rosa', 'Samuel', 'Tomás',
  'Uma', 'Valentina', 'William', 'Ximena', 'Yusuf', 'Zoë', 'Aiko', 'Bastian', 'Catalina', 'Diego',
  'Emeka', 'Freya', 'Grace', 'Hamza', 'Ingrid', 'Jonas', 'Keira', 'Liam', 'Mei', 'Noah',
  'Olga', 'Pedro', 'Ruby', 'Sofia', 'Theo', 'Ana-Maria', 'Wei', 'Yara', 'Zainab', 'Arjun',
];

export const FAMILY_NAMES = [
  'Okafor', 'Schmidt', 'Dubois', 'Ivanova', 'Yılmaz', 'Haddad', 'Silva', 'Tanaka', 'Cohen', 'Nguyen',
  'Mensah', 'Moreau', 'García', 'Rahman', 'Smith', 'Patel', 'Lefèvre', 'Rossi', 'Brown', 'Fernández',
  'Kowalski', 'Romero', 'Johnson', 'Hernández', 'Demir', "O'Brien", 'Sato', 'Müller', 'López', 'Martins',
  'Adeyemi', 'Larsen', 'Wilson', 'Khan', 'Johansson', 'Becker', 'Murphy', 'Walsh', 'Chen', 'Van der Berg',
  'Petrov', 'Costa', 'Taylor', 'Andersson', 'Novak', 'Popescu', 'Zhang', 'Abdullah', 'Mwangi', 'Sharma',
];

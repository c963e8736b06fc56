export declare const contractFiles: string[];
